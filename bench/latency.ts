/**
 * Latency from the producer's send to the record on stocks-out: the real processor handler
 * (functions/processor.ts) behind the local event source mapping, one worker process per partition, at
 * the deployed BatchSize and MaximumBatchingWindowInSeconds, on fresh 2-partition topics. A record's
 * latency is when a kafkajs reader of the sink topic fetched it minus when the producer's send of it
 * started (not when the send was acknowledged): the user's view, queueing in the producer included.
 *
 * Why the batching window dominates at the original's cadence: the mapping invokes the function when a
 * partition's batch holds BatchSize records (500), when its payload nears 6 MB, or when the batching
 * window has passed since it started gathering. A producer batch of 17 records every 5-10 s puts about 8
 * on each partition, so no batch ever fills and every event waits out the whole window (1 s deployed);
 * the rest (the mapping's fetch, the invocation, the sink's acks=all send, the reader's fetch) is tens
 * of milliseconds. The local mapping (scripts/local/partition-lane.ts) opens a partition's window when
 * the first record reaches its idle lane, right after the mapping's fetch, and closes it batchSize
 * records or maximumBatchingWindowMs later; all 17 records of a batch are sent in one request, so they
 * share one window and wait about as long. Under load the batches fill within milliseconds (500 records
 * at 10,000/s per partition take 50 ms), the window stops mattering, and latency becomes queueing: each
 * partition's lane runs one invocation at a time, and a window only opens once the previous one returned.
 */
import { randomUUID } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Admin, type Consumer, Kafka, logLevel } from 'kafkajs'
import { KafkajsSink } from '../lib/kafka/kafkajs-sink.js'
import type { MessageSink, PartitionDelivery, TopicMessages } from '../lib/kafka/sink.js'
import { produceStockBatches } from '../lib/producer/produce-batches.js'
import { epochMicros } from '../lib/stocks/clock.js'
import { generateStockBatch } from '../lib/stocks/generate.js'
import { type Stock, stockJson, TICKERS, tickerKey } from '../lib/stocks/stock.js'
import { LocalEventSourceMapping } from '../scripts/local/event-source-mapping.js'
import { processorWorker } from '../scripts/local/processor-worker.js'
import { loadStageSettings } from '../scripts/local/stage-env.js'
import { localKafkaConfig } from '../test/support/kafka.js'
import { format } from './events.js'
import { fmt, percentile } from './stats.js'

/** The event source mapping's batching settings a round runs with. */
export interface MappingSettings {
  readonly batchSize: number
  readonly maximumBatchingWindowMs: number
}

export interface LatencyResult {
  scenario: string
  label: string
  mapping: MappingSettings
  /** Whether these are the settings serverless.yml deploys. */
  deployed: boolean
  records: number
  /** Successful invocations of the processor for the scenario's records (the warm-up left out). */
  invocations: number
  /** Their durations summed, each rounded up to the millisecond as Lambda bills them. */
  billedMs: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** From the first send to the last record's arrival. */
  seconds: number
}

/** Besides the deployed settings: Lambda's defaults for MSK (100 records, 500 ms), smaller batches, no window. */
export const COMPARED_SETTINGS: readonly MappingSettings[] = [
  { batchSize: 100, maximumBatchingWindowMs: 500 },
  { batchSize: 500, maximumBatchingWindowMs: 1_000 },
  { batchSize: 500, maximumBatchingWindowMs: 0 },
]

export interface LatencyOptions {
  broker: string
  cadenceTicks: number
  loadSeconds: number
  loadRate: number
  /** A steady trickle between the cadence and the load, where the batching window decides the cost. */
  trickleRate?: number
  /** The settings to compare, besides the deployed ones (which always run first). */
  alternatives?: readonly MappingSettings[]
  log?: (line: string) => void
}

const _PROJECT_DIR = new URL('..', import.meta.url).pathname
/** The load's pace: one chunk of records every CHUNK_MS, each sent at its own time. */
const CHUNK_MS = 25
const SEND_TIMEOUT_MS = 120_000
/** How long the last record may take to reach the sink after the last send was acknowledged. */
const ARRIVAL_TIMEOUT_MS = 120_000

/**
 * The producer's clock (microseconds since the epoch), made strictly increasing: every record gets its
 * own event time, which the processor copies to the sink record, so it names the record on both sides.
 */
let lastMicros = 0
function uniqueMicros(): number {
  lastMicros = Math.max(lastMicros + 1, epochMicros())
  return lastMicros
}

/** A source value's event time as the processor writes it on the sink, in the pipeline's sink format. */
function sinkEventTime(sourceValue: string): string {
  const written = format.write(JSON.parse(sourceValue) as Stock)
  return (JSON.parse(written.value) as { event_time: string }).event_time
}

/** The producer's sink, noting when the send of each record started, by its event time on the sink. */
class TimedSink implements MessageSink {
  readonly sentAt = new Map<string, number>()
  readonly #inner: MessageSink

  constructor(inner: MessageSink) {
    this.#inner = inner
  }

  send(batches: readonly TopicMessages[]): Promise<PartitionDelivery[]> {
    const startedAt = Date.now()
    for (const { messages } of batches) {
      for (const { value } of messages) {
        const eventTime = sinkEventTime(String(value))
        if (this.sentAt.has(eventTime)) throw new Error(`two records share the event time ${eventTime}`)
        this.sentAt.set(eventTime, startedAt)
      }
    }
    return this.#inner.send(batches)
  }

  close(): Promise<void> {
    return this.#inner.close()
  }
}

/** The original's cadence: one batch of 17 (the producer's own code) every random 5-10 s. */
async function sendAtCadence(sink: MessageSink, topic: string, ticks: number, log: (line: string) => void) {
  for (let tick = 1; tick <= ticks; tick++) {
    // Before the first batch too: ticks batches take ticks x 7.5 s on average.
    await sleep(5_000 + Math.random() * 5_000)
    await produceStockBatches({
      sink,
      sourceTopic: topic,
      batchesPerInvocation: 1,
      batchIntervalMs: 0,
      sendBudgetMs: SEND_TIMEOUT_MS,
      remainingTimeMs: () => Number.POSITIVE_INFINITY,
      clock: uniqueMicros,
    })
    log(`cadence: batch ${tick} of ${ticks} sent`)
  }
}

/** `rate` records/s for `seconds`: the producer's records, a small chunk every CHUNK_MS. */
async function sendAtRate(
  sink: MessageSink,
  topic: string,
  rate: number,
  seconds: number,
  log: (line: string) => void,
) {
  const total = Math.round(rate * seconds)
  const perChunk = Math.max(1, Math.round((rate * CHUNK_MS) / 1000))
  const sends: Promise<unknown>[] = []
  const startedAt = performance.now()
  for (let sent = 0, chunk = 0; sent < total; chunk++) {
    const dueInMs = startedAt + chunk * CHUNK_MS - performance.now()
    if (dueInMs > 0) await sleep(dueInMs)
    const count = Math.min(perChunk, total - sent)
    const stocks = Array.from({ length: Math.ceil(count / TICKERS.length) }, () =>
      generateStockBatch(uniqueMicros),
    )
      .flat()
      .slice(0, count)
    // Not awaited: the next chunk is due on time whether or not this one is acknowledged yet (kafkajs
    // queues it); a failure is reported below, after the handler attached here keeps it from crashing us.
    const send = sink.send([
      { topic, messages: stocks.map((s) => ({ key: tickerKey(s.ticker), value: stockJson(s) })) },
    ])
    send.catch(() => undefined)
    sends.push(send)
    sent += count
  }
  const sendingSeconds = (performance.now() - startedAt) / 1000
  log(
    `${fmt(rate)}/s: ${fmt(total)} records sent in ${fmt(sendingSeconds, 1)} s (${fmt(total / sendingSeconds)}/s)`,
  )
  await Promise.all(sends)
}

/** A reader of the sink topic: when each record (by its event time) was fetched, and any repeats. */
class SinkReader {
  readonly receivedAt = new Map<string, number>()
  duplicates = 0
  readonly #consumer: Consumer

  private constructor(consumer: Consumer) {
    this.#consumer = consumer
  }

  /** Resolves once the reader has joined and fetched (the empty topic): caught up before sending starts. */
  static async start(kafka: Kafka, topic: string): Promise<SinkReader> {
    const consumer = kafka.consumer({ groupId: `latency-reader-${randomUUID()}`, maxWaitTimeInMs: 100 })
    const reader = new SinkReader(consumer)
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const fetched = new Promise<void>((resolve) => {
      const stop = consumer.on(consumer.events.FETCH, () => {
        stop()
        resolve()
      })
    })
    await consumer.run({
      eachBatch: async ({ batch }) => {
        // One time per fetched batch: the moment this fetch handed the records over.
        const at = Date.now()
        for (const message of batch.messages) {
          const { event_time } = JSON.parse(String(message.value)) as { event_time: string }
          if (reader.receivedAt.has(event_time)) reader.duplicates++
          else reader.receivedAt.set(event_time, at)
        }
      },
    })
    await fetched
    return reader
  }

  async waitFor(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (this.receivedAt.size < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `only ${this.receivedAt.size} of ${count} records reached the sink in ${timeoutMs} ms`,
        )
      }
      await sleep(50)
    }
  }

  stop(): Promise<void> {
    return this.#consumer.disconnect()
  }
}

async function recordsOn(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0)
}

interface Scenario {
  readonly name: string
  readonly label: string
  readonly send: (sink: MessageSink, sourceTopic: string) => Promise<void>
}

/** One scenario on fresh topics and a fresh mapping, torn down (topics deleted) whatever happens. */
async function runScenario(
  scenario: Scenario,
  broker: string,
  mapping: MappingSettings,
  functionLogs: number,
  log: (line: string) => void,
): Promise<LatencyResult> {
  const kafka = new Kafka({ clientId: 'bench-latency', brokers: [broker], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const suffix = randomUUID().slice(0, 8)
  const source = `latency-${scenario.name}-in-${suffix}`
  const sink = `latency-${scenario.name}-out-${suffix}`
  const deadLetters = `latency-${scenario.name}-dlq-${suffix}`
  const topics = [source, sink, deadLetters]
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
    waitForLeaders: true,
  })
  const failures: unknown[] = []
  let measuring = false
  let invocations = 0
  let billedMs = 0
  const localMapping = new LocalEventSourceMapping({
    kafka,
    topic: source,
    consumerGroupId: `latency-${source}`,
    ...mapping,
    eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/latency',
    bootstrapServers: [broker],
    // The workers' logs go to a file: the warm-up's dead letters log a warning each.
    invokerFor: () =>
      processorWorker({
        broker,
        sinkTopic: sink,
        deadLetterTopic: deadLetters,
        functionName: 'latency-processor',
        logTo: functionLogs,
      }),
    onInvocation: ({ error, durationMs }) => {
      if (error !== undefined) failures.push(error)
      else if (measuring) {
        invocations++
        billedMs += Math.ceil(durationMs)
      }
    },
  })
  const producer = new KafkajsSink(
    localKafkaConfig({
      bootstrapServers: [broker],
      clientId: 'bench-latency-producer',
      sendTimeoutMs: SEND_TIMEOUT_MS,
    }),
  )
  let reader: SinkReader | undefined
  try {
    reader = await SinkReader.start(kafka, sink)
    await localMapping.start()

    // Warm what a running deployment has warm, so a cold start is not measured (bench/cold-start.ts
    // measures it): the producer's connection, the mapping's group, each partition's worker (its module
    // init, its connection). One record per ticker covers both partitions; not JSON, they are
    // dead-lettered and never reach the sink.
    await producer.send([
      { topic: source, messages: TICKERS.map((t) => ({ key: tickerKey(t), value: 'warm-up' })) },
    ])
    const warmUpDeadline = Date.now() + 60_000
    while ((await recordsOn(admin, deadLetters)) < TICKERS.length) {
      if (Date.now() > warmUpDeadline) throw new Error('the warm-up records were not dead-lettered in 60 s')
      await sleep(100)
    }

    log(`${scenario.name}: sending ${scenario.label}`)
    measuring = true
    const timed = new TimedSink(producer)
    const startedAt = Date.now()
    await scenario.send(timed, source)
    await reader.waitFor(timed.sentAt.size, ARRIVAL_TIMEOUT_MS)
    if (failures.length > 0) throw new Error(`${failures.length} invocations failed`, { cause: failures[0] })

    // Every record sent must arrive exactly once: a lost one fails the bench rather than improving it.
    const latencies: number[] = []
    for (const [eventTime, sentAt] of timed.sentAt) {
      const receivedAt = reader.receivedAt.get(eventTime)
      if (receivedAt !== undefined) latencies.push(receivedAt - sentAt)
    }
    const missing = timed.sentAt.size - latencies.length
    const unexpected = reader.receivedAt.size - latencies.length
    if (missing > 0 || unexpected > 0 || reader.duplicates > 0) {
      throw new Error(
        `${scenario.name}: ${missing} of ${timed.sentAt.size} records sent never reached the sink, ` +
          `${unexpected} arrived that were not sent, ${reader.duplicates} arrived twice`,
      )
    }
    let lastArrival = 0
    for (const at of reader.receivedAt.values()) lastArrival = Math.max(lastArrival, at)
    return {
      scenario: scenario.name,
      label: scenario.label,
      mapping,
      deployed: false,
      records: latencies.length,
      invocations,
      billedMs,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: percentile(latencies, 100),
      seconds: (lastArrival - startedAt) / 1000,
    }
  } finally {
    await localMapping.stop()
    await reader?.stop()
    await producer.close()
    await admin.deleteTopics({ topics })
    await admin.disconnect()
  }
}

export async function benchLatency(options: LatencyOptions): Promise<LatencyResult[]> {
  const log = options.log ?? (() => undefined)
  // The mapping as a deployment has it: `prod` overrides none of the mapping's params in serverless.yml.
  const { mapping } = await loadStageSettings('prod')
  const deployed: MappingSettings = {
    batchSize: mapping.batchSize,
    maximumBatchingWindowMs: mapping.maximumBatchingWindowSeconds * 1000,
  }
  const { cadenceTicks, loadRate, loadSeconds } = options
  const trickleRate = options.trickleRate ?? 200
  const scenarios: Scenario[] = [
    {
      name: 'cadence',
      label: `17 records every 5-10 s, ${cadenceTicks} batches`,
      send: (sink, topic) => sendAtCadence(sink, topic, cadenceTicks, log),
    },
    {
      name: 'trickle',
      label: `${fmt(trickleRate)} records/s for ${loadSeconds} s`,
      send: (sink, topic) => sendAtRate(sink, topic, trickleRate, loadSeconds, log),
    },
    {
      name: 'load',
      label: `${fmt(loadRate)} records/s for ${loadSeconds} s`,
      send: (sink, topic) => sendAtRate(sink, topic, loadRate, loadSeconds, log),
    },
  ]
  const logFile = join(tmpdir(), 'bench-latency-functions.log')
  log(`the processor's logs: ${logFile}`)
  const functionLogs = openSync(logFile, 'a')
  const results: LatencyResult[] = []
  try {
    for (const settings of [deployed, ...(options.alternatives ?? [])]) {
      log(`mapping: batch size ${settings.batchSize}, batching window ${settings.maximumBatchingWindowMs} ms`)
      for (const scenario of scenarios) {
        const result = await runScenario(scenario, options.broker, settings, functionLogs, log)
        results.push({ ...result, deployed: settings === deployed })
      }
    }
  } finally {
    closeSync(functionLogs)
  }
  return results
}
