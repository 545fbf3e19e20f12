import { Kafka, logLevel } from 'kafkajs'
import { KafkajsSink } from '../lib/kafka/kafkajs-sink.js'
import { MAX_REQUEST_BYTES, splitIntoRequests } from '../lib/kafka/requests.js'
import { processMskEvent } from '../lib/processor/process-event.js'
import { transformRecord } from '../lib/processor/transform.js'
import { produceStockBatches } from '../lib/producer/produce-batches.js'
import { localBrokers } from '../scripts/local/local-brokers.cjs'
import { localKafkaConfig } from '../test/support/kafka.js'
import { countOf, format, makeMskEvent, transformOptions } from './events.js'
import { type Measurement, summarise, timeAlternating, timeRounds } from './stats.js'

const BROKER = localBrokers().plaintext

export interface EndToEndResult {
  readonly records: number
  readonly ours: Measurement
  /** The sink alone sending the processed messages: ours without the processing, to tell the two apart. */
  readonly sinkOnly: Measurement
  readonly bare: Measurement
}

async function createTopics(kafka: Kafka, topics: string[]) {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: 2 })),
    waitForLeaders: true,
  })
  await admin.disconnect()
}

/**
 * A 10,000-record event processed until every record is acknowledged on the real broker, against a bare
 * kafkajs producer (idempotent, acks=all, as ours) sending the same, already encoded messages.
 */
export async function benchEndToEnd(size: number, rounds: number): Promise<EndToEndResult> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [BROKER], logLevel: logLevel.NOTHING })
  const suffix = Date.now().toString(36)
  const [sinkTopic, deadLetterTopic, bareTopic] = [
    `bench-out-${suffix}`,
    `bench-dlq-${suffix}`,
    `bench-bare-${suffix}`,
  ]
  await createTopics(kafka, [sinkTopic, deadLetterTopic, bareTopic])
  const event = makeMskEvent(size)
  const records = countOf(event)

  const sink = new KafkajsSink(localKafkaConfig({ clientId: 'bench-processor', sendTimeoutMs: 120_000 }))
  const processEvent = () => processMskEvent(event, { sink, sinkTopic, deadLetterTopic, format })

  const processed = Object.values(event.records)
    .flat()
    .flatMap((record) => {
      const outcome = transformRecord(record, transformOptions)
      return outcome.kind === 'sink' ? outcome.messages : [outcome.message]
    })
  const sendProcessed = () => sink.send([{ topic: sinkTopic, messages: processed }])
  const messages = processed.map(({ key, value, headers }) => ({
    key,
    value,
    headers: Object.fromEntries((headers ?? []).map((h) => [h.key, h.value])),
  }))
  // A broker takes at most message.max.bytes per partition and request, so the bare producer sends the
  // same requests the sink does, one after the other.
  const requests = splitIntoRequests([{ topic: bareTopic, messages }], MAX_REQUEST_BYTES)
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const sendBare = async () => {
    for (const topicMessages of requests) await producer.sendBatch({ topicMessages, acks: -1 })
  }

  // Alternating rounds, so that a broker slowing down (log segments, GC) weighs on both sides alike.
  const [ours = [], sinkOnly = [], bare = []] = await timeAlternating(rounds, [
    processEvent,
    sendProcessed,
    sendBare,
  ])
  await sink.close()
  await producer.disconnect()

  const rate = (samples: number[]) => summarise(samples.map((ms) => (records / ms) * 1000))
  return { records, ours: rate(ours), sinkOnly: rate(sinkOnly), bare: rate(bare) }
}

export interface ProducerResult {
  readonly ms: Measurement
  readonly heapBytes: Measurement
}

/** One warm producer invocation (one batch of 17 records, acknowledged): time, and heap growth. */
export async function benchProducer(rounds: number): Promise<ProducerResult> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [BROKER], logLevel: logLevel.NOTHING })
  const topic = `bench-in-${Date.now().toString(36)}`
  await createTopics(kafka, [topic])
  const sink = new KafkajsSink(localKafkaConfig({ clientId: 'bench-producer' }))
  const invoke = () =>
    produceStockBatches({
      sink,
      sourceTopic: topic,
      batchesPerInvocation: 1,
      batchIntervalMs: 0,
      sendBudgetMs: 20_000,
      remainingTimeMs: () => 60_000,
    })
  const ms = await timeRounds(rounds, invoke)
  const heap: number[] = []
  const gc = (globalThis as { gc?: () => void }).gc
  for (let round = 0; round < rounds; round++) {
    gc?.()
    const before = process.memoryUsage().heapUsed
    await invoke()
    heap.push(process.memoryUsage().heapUsed - before)
  }
  await sink.close()
  return { ms: summarise(ms), heapBytes: summarise(heap) }
}
