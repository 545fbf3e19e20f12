/** Run by memory.ts in a fresh process: one 10,000-record event through the processor to the broker. */
import { Kafka, logLevel } from 'kafkajs'
import { KafkajsSink } from '../lib/kafka/kafkajs-sink.js'
import { processMskEvent } from '../lib/processor/process-event.js'
import { localBrokers } from '../scripts/local/local-brokers.cjs'
import { localKafkaConfig } from '../test/support/kafka.js'
import { format, makeMskEvent } from './events.js'

const size = Number(process.argv[2] ?? 10_000)
const suffix = Date.now().toString(36)
const admin = new Kafka({
  clientId: 'bench',
  brokers: [localBrokers().plaintext],
  logLevel: logLevel.NOTHING,
}).admin()
await admin.connect()
await admin.createTopics({
  topics: [`mem-out-${suffix}`, `mem-dlq-${suffix}`].map((topic) => ({ topic, numPartitions: 2 })),
  waitForLeaders: true,
})
await admin.disconnect()
const sink = new KafkajsSink(localKafkaConfig({ clientId: 'bench-memory', sendTimeoutMs: 120_000 }))
const before = process.resourceUsage().maxRSS
await processMskEvent(makeMskEvent(size), {
  sink,
  sinkTopic: `mem-out-${suffix}`,
  deadLetterTopic: `mem-dlq-${suffix}`,
  format,
})
await sink.close()
process.stdout.write(JSON.stringify({ beforeKb: before, peakKb: process.resourceUsage().maxRSS }))
