import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Admin, Kafka, logLevel } from 'kafkajs'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import type { MskEvent } from '../../lib/msk/event.js'
import { produceStockBatches } from '../../lib/producer/produce-batches.js'
import { LocalEventSourceMapping } from '../../scripts/local/event-source-mapping.js'
import { KafkaTopicDestination } from '../../scripts/local/on-failure-destinations.js'
import { startTestBroker, type TestBroker } from './broker.js'
import { localKafkaConfig, PROJECT_DIR } from './kafka.js'
import { processorHandler } from './processor.js'

/**
 * What the console's browser test and `npm run console:screenshot` share: a broker of their own on free
 * ports, the console as `npm run console` runs, and the local stage's pipeline in process (the mapping
 * emulation, the processor, a producer on a fast schedule), which can be made to dead-letter and to give up.
 */

/** The local stage's names (serverless.yml), which the console reads through `serverless print`. */
export const LOCAL_STAGE = {
  source: 'stocks-in',
  sink: 'stocks-out',
  deadLetters: 'stocks-dlq',
  gaveUp: 'stocks-gave-up',
  group: 'msk-lambda-stocks-local-processor',
} as const

/** A single-node broker of its own (test/support/broker.ts: free ports below the ephemeral range, its data apart). */
export class OwnBroker {
  readonly bootstrap: string
  readonly #broker: TestBroker

  private constructor(broker: TestBroker) {
    this.#broker = broker
    this.bootstrap = broker.address
  }

  /** Started on ports free now; `start` again after a `stop` brings it back on the same ones. */
  static async onFreePorts(): Promise<OwnBroker> {
    return new OwnBroker(await startTestBroker(mkdtempSync(join(tmpdir(), 'console-kafka-'))))
  }

  start(): void {
    this.#broker.start()
  }

  /** Stops it; with `keepData` its topics and offsets are there again on the next start, as after a restart. */
  stop(keepData = false): void {
    this.#broker.stop({ keepData })
  }

  client(clientId = 'console-tests'): Kafka {
    return new Kafka({ clientId, brokers: [this.bootstrap], logLevel: logLevel.NOTHING })
  }

  async createTopics(): Promise<void> {
    const admin = this.client().admin()
    await admin.connect()
    try {
      await admin.createTopics({
        topics: [LOCAL_STAGE.source, LOCAL_STAGE.sink, LOCAL_STAGE.deadLetters, LOCAL_STAGE.gaveUp].map(
          (topic) => ({ topic, numPartitions: 2, replicationFactor: 1 }),
        ),
        waitForLeaders: true,
      })
    } finally {
      await admin.disconnect()
    }
  }
}

export interface ConsoleProcess {
  readonly url: string
  /** Stops it as Ctrl-C would; resolves with its exit code. */
  stop(): Promise<number>
}

/** `npm run console` (the local stage) against a broker, on a free port; resolves once it serves. */
export async function startConsoleProcess(bootstrap: string, intervalSeconds = 1): Promise<ConsoleProcess> {
  // Its own temp folder, for the log file it writes there, removed when it stops.
  const temp = mkdtempSync(join(tmpdir(), 'console-process-'))
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/console/main.ts', '--interval', String(intervalSeconds)],
    {
      cwd: PROJECT_DIR,
      env: {
        ...process.env,
        LOCAL_KAFKA_BOOTSTRAP_SERVERS: bootstrap,
        SLS_TELEMETRY_DISABLED: '1',
        TMPDIR: temp,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code) => {
      rmSync(temp, { recursive: true, force: true })
      resolve(code ?? 1)
    }),
  )
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the console did not start in 60 s:\n${output}`)), 60_000)
    const take = (chunk: Buffer) => {
      output += chunk
      const address = /^console: (http:\/\/127\.0\.0\.1:\d+\/)/m.exec(output)?.[1]
      if (address !== undefined) {
        clearTimeout(timer)
        resolve(address)
      }
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`the console exited (${code}) before serving:\n${output}`))
    })
  })
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}

/** The local stage's pipeline in this process: the mapping emulation before the processor, and a producer. */
export class InProcessPipeline {
  /** Records the producer had acknowledged, and records sent by `send`. */
  produced = 0
  /** Producer runs that failed (the broker away): their records were not sent. */
  failedRuns = 0
  readonly #kafka: Kafka
  readonly #producerSink: KafkajsSink
  readonly #processorSink: KafkajsSink
  readonly #bootstrap: string
  #mapping: LocalEventSourceMapping | undefined
  #producing: Promise<void> | undefined
  #running = false

  /** A record keyed `give-up` fails its batch's invocations until the mapping gives up on them. */
  static readonly GIVE_UP_KEY = 'give-up'

  constructor(bootstrap: string) {
    const connection = localKafkaConfig({
      bootstrapServers: [bootstrap],
      connectTimeoutMs: 1_000,
      sendTimeoutMs: 5_000,
    })
    this.#kafka = createKafka(
      { ...connection, clientId: 'console-pipeline' },
      createBrokerResolver(connection),
    )
    this.#producerSink = new KafkajsSink({ ...connection, clientId: 'console-producer' })
    this.#processorSink = new KafkajsSink({ ...connection, clientId: 'console-processor' })
    this.#bootstrap = bootstrap
  }

  #newMapping(): LocalEventSourceMapping {
    const giveUpKey = Buffer.from(InProcessPipeline.GIVE_UP_KEY).toString('base64')
    return new LocalEventSourceMapping({
      kafka: this.#kafka,
      topic: LOCAL_STAGE.source,
      consumerGroupId: LOCAL_STAGE.group,
      batchSize: 100,
      maximumBatchingWindowMs: 200,
      maximumRetryAttempts: 1,
      retryDelayMs: () => 200,
      onFailure: new KafkaTopicDestination(this.#kafka, LOCAL_STAGE.gaveUp),
      eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/console',
      bootstrapServers: [this.#bootstrap],
      handler: async (event: MskEvent) => {
        if (Object.values(event.records).some((records) => records.some((r) => r.key === giveUpKey)))
          throw new Error('a record this test makes the processor fail on')
        return processorHandler({
          sink: this.#processorSink,
          sinkTopic: LOCAL_STAGE.sink,
          deadLetterTopic: LOCAL_STAGE.deadLetters,
        })(event)
      },
    })
  }

  async startMapping(): Promise<void> {
    this.#mapping = this.#newMapping()
    await this.#mapping.start()
  }

  async stopMapping(): Promise<void> {
    await this.#mapping?.stop()
    this.#mapping = undefined
  }

  /** A batch of the original's 17 stocks every `everyMs`, as the scheduled producer sends them. */
  startProducing(everyMs: number): void {
    this.#running = true
    this.#producing = (async () => {
      while (this.#running) {
        try {
          const summary = await produceStockBatches({
            sink: this.#producerSink,
            sourceTopic: LOCAL_STAGE.source,
            batchesPerInvocation: 1,
            batchIntervalMs: 0,
            sendBudgetMs: 5_000,
            remainingTimeMs: () => 60_000,
          })
          this.produced += summary.recordsSent
        } catch {
          // The broker is away: the next round tries again, as the next scheduled run would.
          this.failedRuns++
        }
        await sleep(everyMs)
      }
    })()
  }

  async stopProducing(): Promise<void> {
    this.#running = false
    await this.#producing
  }

  /** Sends records to the source topic; returns where each went. */
  async send(messages: { key: string; value: string }[]): Promise<{ partition: number; offset: number }[]> {
    const producer = this.#kafka.producer()
    await producer.connect()
    try {
      const results = []
      for (const message of messages) {
        const [metadata] = await producer.send({ topic: LOCAL_STAGE.source, acks: -1, messages: [message] })
        results.push({ partition: metadata?.partition ?? -1, offset: Number(metadata?.baseOffset ?? -1) })
      }
      this.produced += messages.length
      return results
    } finally {
      await producer.disconnect()
    }
  }

  async stop(): Promise<void> {
    await this.stopProducing()
    await this.stopMapping()
    await this.#producerSink.close()
    await this.#processorSink.close()
  }
}

export interface BrokerPartition {
  readonly topic: string
  readonly partition: number
  readonly first: number
  readonly end: number
  readonly committed?: number | null
  readonly lag?: number
}

/**
 * What the broker reports, read with an admin here, apart from the console's own code: every partition's
 * first and end offsets, and on the source topic the processor group's committed offset and the lag.
 */
export async function brokerReport(admin: Admin): Promise<BrokerPartition[]> {
  const rows: BrokerPartition[] = []
  for (const topic of [LOCAL_STAGE.source, LOCAL_STAGE.sink, LOCAL_STAGE.deadLetters, LOCAL_STAGE.gaveUp]) {
    const offsets = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition)
    const [group] =
      topic === LOCAL_STAGE.source
        ? await admin.fetchOffsets({ groupId: LOCAL_STAGE.group, topics: [topic] })
        : []
    for (const { partition, low, high } of offsets) {
      const row = { topic, partition, first: Number(low), end: Number(high) }
      if (group === undefined) {
        rows.push(row)
        continue
      }
      const committed = Number(group.partitions.find((p) => p.partition === partition)?.offset ?? -1)
      rows.push({
        ...row,
        committed: committed < 0 ? null : committed,
        lag: row.end - (committed < 0 ? row.first : committed),
      })
    }
  }
  return rows
}

/** Waits until the processor group has taken everything on the source topic. */
export async function untilCaughtUp(admin: Admin, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const source = (await brokerReport(admin)).filter((row) => row.topic === LOCAL_STAGE.source)
    if (source.every((row) => row.lag === 0)) return
    if (Date.now() > deadline) throw new Error(`the processor group still lags: ${JSON.stringify(source)}`)
    await sleep(250)
  }
}
