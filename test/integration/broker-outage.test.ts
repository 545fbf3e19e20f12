import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asError } from '../../lib/errors.js'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import { produceStockBatches } from '../../lib/producer/produce-batches.js'
import { type InvocationReport, LocalEventSourceMapping } from '../../scripts/local/event-source-mapping.js'
import { startTestBroker, type TestBroker } from '../support/broker.js'
import { localKafkaConfig, readTopic } from '../support/kafka.js'
import { processorHandler } from '../support/processor.js'

/**
 * A broker of its own (free ports, its data in the run's temp folder), so that stopping it does not
 * disturb the other tests. It is stopped mid-run and started again with its data, as a broker restart or
 * failover would.
 */
let broker: TestBroker
let BROKER: string
let connection: ReturnType<typeof localKafkaConfig>
const admin = () => new Kafka({ clientId: 'outage-admin', brokers: [BROKER], logLevel: logLevel.NOTHING })
const TOPICS = { source: 'outage-in', sink: 'outage-out', dlq: 'outage-dlq' }

beforeAll(async () => {
  broker = await startTestBroker(mkdtempSync(join(tmpdir(), 'outage-kafka-')))
  BROKER = broker.address
  connection = localKafkaConfig({
    bootstrapServers: [BROKER],
    connectTimeoutMs: 1_000,
    sendTimeoutMs: 5_000,
  })
  const client = admin().admin()
  await client.connect()
  await client.createTopics({
    topics: Object.values(TOPICS).map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
    waitForLeaders: true,
  })
  await client.disconnect()
}, 120_000)

afterAll(() => {
  broker?.stop()
})

describe('a broker outage in the middle of the pipeline', () => {
  it('fails invocations clearly while the broker is down, and loses nothing once it is back', {
    timeout: 180_000,
  }, async () => {
    const producerSink = new KafkajsSink({ ...connection, clientId: 'outage-producer' })
    const processorSink = new KafkajsSink({ ...connection, clientId: 'outage-processor' })
    const invocations: InvocationReport[] = []
    const mapping = new LocalEventSourceMapping({
      kafka: createKafka({ ...connection, clientId: 'outage-mapping' }, createBrokerResolver(connection)),
      topic: TOPICS.source,
      consumerGroupId: 'outage-processor',
      batchSize: 200,
      maximumBatchingWindowMs: 200,
      eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/outage',
      bootstrapServers: [BROKER],
      retryDelayMs: () => 500,
      onInvocation: (report) => invocations.push(report),
      handler: processorHandler({ sink: processorSink, sinkTopic: TOPICS.sink, deadLetterTopic: TOPICS.dlq }),
    })
    await mapping.start()

    // The producer runs on a fast schedule throughout: before, during and after the outage.
    const producerErrors: string[] = []
    let acknowledged = 0
    let producing = true
    const producer = (async () => {
      while (producing) {
        try {
          const summary = await produceStockBatches({
            sink: producerSink,
            sourceTopic: TOPICS.source,
            batchesPerInvocation: 1,
            batchIntervalMs: 0,
            sendBudgetMs: connection.sendTimeoutMs,
            remainingTimeMs: () => 60_000,
          })
          acknowledged += summary.recordsSent
        } catch (error) {
          producerErrors.push(asError(error).message)
        }
        await sleep(100)
      }
    })()

    await sleep(3_000)
    broker.stop({ keepData: true })
    await sleep(4_000)
    broker.start()
    await sleep(4_000)
    producing = false
    await producer

    const client = admin().admin()
    await client.connect()
    const inputCount = (await client.fetchTopicOffsets(TOPICS.source)).reduce((n, p) => n + Number(p.high), 0)
    await client.disconnect()
    const kafka = admin()
    const input = await readTopic(kafka, TOPICS.source, inputCount)
    // Every input record must reach the sink or the dead-letter topic; retried batches may add duplicates.
    const coordinates = (r: { headers: Record<string, string> }) =>
      `${r.headers['source.partition'] ?? r.headers['dlq.source.partition']}@${r.headers['source.offset'] ?? r.headers['dlq.source.offset']}`
    let output: Awaited<ReturnType<typeof readTopic>> = []
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      output = [...(await readAll(kafka, TOPICS.sink)), ...(await readAll(kafka, TOPICS.dlq))]
      if (new Set(output.map(coordinates)).size >= inputCount) break
      await sleep(1_000)
    }
    await mapping.stop()
    await producerSink.close()
    await processorSink.close()

    const unique = new Set(output.map(coordinates))
    const missing = input.filter((r) => !unique.has(`${r.partition}@${r.offset}`))
    const duplicates = output.length - unique.size
    console.log(
      `outage: ${inputCount} records in (${acknowledged} acknowledged to the producer), ${unique.size} out, ` +
        `${missing.length} missing, ${duplicates} duplicates; ${producerErrors.length} producer invocations and ` +
        `${invocations.filter((i) => i.error).length} processor invocations failed during the outage`,
    )

    expect(inputCount).toBeGreaterThanOrEqual(acknowledged)
    expect(missing).toEqual([])
    expect(producerErrors.length).toBeGreaterThan(0)
    for (const message of producerErrors) {
      expect(message).toMatch(
        /^Batch 1 of 1 failed after 0 records in 0 batches were sent: (Cannot connect to Kafka|Kafka did not acknowledge)/,
      )
    }
    for (const failed of invocations.filter((i) => i.error)) {
      expect(asError(failed.error).message).toMatch(/Cannot connect to Kafka|Kafka did not acknowledge/)
    }
  })
})

async function readAll(kafka: Kafka, topic: string) {
  const client = kafka.admin()
  await client.connect()
  const count = (await client.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0)
  await client.disconnect()
  return readTopic(kafka, topic, count)
}
