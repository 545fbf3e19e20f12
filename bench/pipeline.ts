/**
 * The whole pipeline beside the real Flink job: a 2-partition source topic pre-filled with the producer's
 * records, then one way started (the processor behind the local event source mapping, or the PyFlink job
 * of scripts/flink/job.py), timed from its start by polling the sink topic's end offsets. Every way gets
 * fresh topics, the same records, the same broker and the same clock; the ways take turns round by round.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Admin, Kafka, logLevel } from 'kafkajs'
import { KafkajsSink } from '../lib/kafka/kafkajs-sink.js'
import type { OutgoingMessage } from '../lib/kafka/sink.js'
import { generateStockBatch } from '../lib/stocks/generate.js'
import { stockJson, tickerKey } from '../lib/stocks/stock.js'
import { LocalEventSourceMapping } from '../scripts/local/event-source-mapping.js'
import { processorWorker } from '../scripts/local/processor-worker.js'
import { loadStageSettings } from '../scripts/local/stage-env.js'
import { localKafkaConfig } from '../test/support/kafka.js'
import { type Measurement, summarise } from './stats.js'

const PROJECT_DIR = new URL('..', import.meta.url).pathname
const FLINK_PYTHON = `${PROJECT_DIR}.local/flink/venv/bin/python`
const PARTITIONS = 2
const SEND_CHUNK = 5_000
/** Fine enough for a first record a few hundred milliseconds after the start; a poll itself takes a few. */
const POLL_MS = 25
/** A way that adds no record for this long has failed (the Flink job starts in seconds, not minutes). */
const STALL_MS = 120_000

export interface PipelineWayResult {
  way: string
  label: string
  /** Records/s between 10% and 90% of the records on the sink: the way at full speed. */
  steadyRate: Measurement
  /** Records/s from the start of the way to the last record on the sink: start-up included. */
  startToAllRate: Measurement
  /** Seconds from the start of the way to its first record on the sink. */
  firstRecordS: Measurement
  /** Lambda invocations the mapping made (the lambda ways only). */
  invocations?: Measurement
}

export interface PipelineOptions {
  records: number
  rounds: number
  flink: boolean
  broker: string
  log?: (line: string) => void
}

interface RoundTopics {
  readonly source: string
  readonly sink: string
  /** The processor's dead letters; the Flink job has none (it fails instead). */
  readonly deadLetters: string | undefined
}

/** A way started, stopped after the round; `problem`: what went wrong so far (a failed invocation, a crash). */
interface Running {
  stop(): Promise<void>
  problem(): string | undefined
  invocations?: () => number
}

interface Way {
  readonly way: string
  readonly label: string
  readonly deadLetters: boolean
  start(topics: RoundTopics): Promise<Running>
}

/** The real handler (functions/processor.ts) in one worker process per partition, as the load test runs it. */
function lambdaWay(
  kafka: Kafka,
  broker: string,
  way: string,
  label: string,
  batchSize: number,
  windowMs: number,
): Way {
  return {
    way,
    label,
    deadLetters: true,
    async start({ source, sink, deadLetters }) {
      let invocations = 0
      const failures: string[] = []
      const mapping = new LocalEventSourceMapping({
        kafka,
        topic: source,
        consumerGroupId: `bench-${source}`,
        batchSize,
        maximumBatchingWindowMs: windowMs,
        eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/bench',
        bootstrapServers: [broker],
        invokerFor: () =>
          processorWorker({
            broker,
            sinkTopic: sink,
            deadLetterTopic: deadLetters ?? '',
            functionName: 'bench-processor',
            // stdout carries the results table.
            logTo: 2,
          }),
        onInvocation: ({ error }) => {
          if (error === undefined) invocations++
          else failures.push(String(error))
        },
      })
      await mapping.start()
      return {
        stop: () => mapping.stop(),
        problem: () => (failures.length > 0 ? `processor failed: ${failures[0]}` : undefined),
        invocations: () => invocations,
      }
    },
  }
}

/**
 * Flink processes still running, killed if this process exits early, so none outlives the benchmark: in a
 * process group of their own, they do not get the terminal's Ctrl-C.
 */
const flinkGroups = new Set<number>()
process.on('exit', () => {
  for (const pid of flinkGroups) killGroup(pid)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143))
}
function killGroup(pid: number) {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/** Installs the local PyFlink (scripts/flink/setup.sh: PyPI apache-flink and the Kafka connector) if missing. */
function ensureFlink() {
  if (existsSync(FLINK_PYTHON)) return
  const setup = spawnSync(`${PROJECT_DIR}scripts/flink/setup.sh`, { stdio: ['ignore', 2, 2] })
  if (setup.status !== 0) throw new Error('scripts/flink/setup.sh failed')
}

/**
 * The original job, unchanged (scripts/flink/job.py: its DDL, group id and earliest-offset start), in a
 * process group of its own: PyFlink starts a JVM (the MiniCluster) as a child, and both must go.
 */
function flinkWay(broker: string): Way {
  return {
    way: 'flink',
    label: 'the Flink job (scripts/flink/job.py), parallelism 1',
    deadLetters: false,
    async start({ source, sink }) {
      const child: ChildProcess = spawn(FLINK_PYTHON, [`${PROJECT_DIR}scripts/flink/job.py`], {
        cwd: PROJECT_DIR,
        detached: true,
        env: { ...process.env, BOOTSTRAP_SERVERS: broker, SOURCE_TOPIC: source, SINK_TOPIC: sink },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const pid = child.pid
      if (pid === undefined) throw new Error(`could not start ${FLINK_PYTHON}`)
      flinkGroups.add(pid)
      // The end of its log, to say why if it dies.
      let tail = ''
      const keep = (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-4_000)
      }
      child.stdout?.on('data', keep)
      child.stderr?.on('data', keep)
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      let stopped = false
      return {
        async stop() {
          stopped = true
          killGroup(pid)
          await exited
          flinkGroups.delete(pid)
        },
        problem: () =>
          !stopped && (child.exitCode !== null || child.signalCode !== null)
            ? `the Flink job exited (${child.signalCode ?? `code ${child.exitCode}`}):\n${tail}`
            : undefined,
      }
    },
  }
}

/** The producer's records: its own generator and encoding, made once and sent to every round's source. */
function producerRecords(count: number): OutgoingMessage[] {
  const messages: OutgoingMessage[] = []
  while (messages.length < count) {
    for (const stock of generateStockBatch()) {
      if (messages.length < count) messages.push({ key: tickerKey(stock.ticker), value: stockJson(stock) })
    }
  }
  return messages
}

async function fill(broker: string, topic: string, messages: readonly OutgoingMessage[]) {
  const sink = new KafkajsSink(
    localKafkaConfig({ bootstrapServers: [broker], clientId: 'bench-fill', sendTimeoutMs: 120_000 }),
  )
  try {
    for (let i = 0; i < messages.length; i += SEND_CHUNK) {
      await sink.send([{ topic, messages: messages.slice(i, i + SEND_CHUNK) }])
    }
  } finally {
    await sink.close()
  }
}

/** Records on a topic, by its end offsets: no transactions write to these topics, so no markers count. */
async function countOn(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic)
  return offsets.reduce((sum, partition) => sum + Number(partition.high), 0)
}

interface Timeline {
  /** Milliseconds from the start of the way. */
  readonly first: number
  readonly tenth: number
  readonly ninetieth: number
  readonly all: number
}

/** Polls the sink's end offsets from the start of the way until every record is there. */
async function watchSink(
  admin: Admin,
  sink: string,
  records: number,
  startedAt: number,
  running: Running,
): Promise<Timeline> {
  let first: number | undefined
  let tenth: number | undefined
  let ninetieth: number | undefined
  let seen = 0
  let lastProgress = performance.now()
  for (;;) {
    const count = await countOn(admin, sink)
    const now = performance.now()
    const at = now - startedAt
    if (count > seen) {
      seen = count
      lastProgress = now
    }
    if (count > 0) first ??= at
    if (count >= records * 0.1) tenth ??= at
    if (count >= records * 0.9) ninetieth ??= at
    if (count >= records && first !== undefined && tenth !== undefined && ninetieth !== undefined) {
      return { first, tenth, ninetieth, all: at }
    }
    const problem = running.problem()
    if (problem !== undefined) throw new Error(`${problem} (${seen} of ${records} records on ${sink})`)
    if (now - lastProgress > STALL_MS) {
      throw new Error(`no new record on ${sink} for ${STALL_MS / 1000} s (${seen} of ${records})`)
    }
    await sleep(POLL_MS)
  }
}

interface RoundResult {
  readonly timeline: Timeline
  readonly invocations: number | undefined
  /** Seconds the source topic took to fill, for the log. */
  readonly fillS: number
}

/** One round of one way: fresh topics, filled, the way started and timed, checked, and the topics deleted. */
async function runRound(
  admin: Admin,
  broker: string,
  way: Way,
  messages: readonly OutgoingMessage[],
): Promise<RoundResult> {
  const suffix = `${way.way}-${Date.now().toString(36)}`
  const topics: RoundTopics = {
    source: `bench-pipeline-in-${suffix}`,
    sink: `bench-pipeline-out-${suffix}`,
    deadLetters: way.deadLetters ? `bench-pipeline-dlq-${suffix}` : undefined,
  }
  const names = [
    topics.source,
    topics.sink,
    ...(topics.deadLetters === undefined ? [] : [topics.deadLetters]),
  ]
  await admin.createTopics({
    topics: names.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
    waitForLeaders: true,
  })
  try {
    const fillStart = performance.now()
    await fill(broker, topics.source, messages)
    const fillS = (performance.now() - fillStart) / 1000
    const filled = await countOn(admin, topics.source)
    if (filled !== messages.length) throw new Error(`${topics.source} holds ${filled} of ${messages.length}`)
    // The fill's garbage is collected now, not during the timed part.
    globalThis.gc?.()

    const startedAt = performance.now()
    const running = await way.start(topics)
    let timeline: Timeline
    try {
      timeline = await watchSink(admin, topics.sink, messages.length, startedAt, running)
    } finally {
      await running.stop()
    }

    // Counted after the way stopped, so a duplicate written late counts too: lost or doubled, no rate.
    const onSink = await countOn(admin, topics.sink)
    const deadLettered = topics.deadLetters === undefined ? 0 : await countOn(admin, topics.deadLetters)
    const problem = running.problem()
    if (onSink !== messages.length || deadLettered !== 0 || problem !== undefined) {
      throw new Error(
        `${way.way}: ${onSink} records on the sink for ${messages.length} sent, ${deadLettered} dead-lettered` +
          (problem === undefined ? '' : `; ${problem}`),
      )
    }
    return { timeline, invocations: running.invocations?.(), fillS }
  } finally {
    await admin.deleteTopics({ topics: names }).catch(() => undefined)
    if (way.deadLetters) await admin.deleteGroups([`bench-${topics.source}`]).catch(() => undefined)
  }
}

/** The ways, `rounds` times in turn, each round on fresh topics holding the same `records` records. */
export async function benchPipeline(options: PipelineOptions): Promise<PipelineWayResult[]> {
  const { records, rounds, broker, log = () => undefined } = options
  const kafka = new Kafka({ clientId: 'bench-pipeline', brokers: [broker], logLevel: logLevel.NOTHING })
  // The deployed mapping's batch size and window, from serverless.yml (its default params).
  const { mapping } = await loadStageSettings('local')
  const deployed = `${mapping.batchSize} / ${mapping.maximumBatchingWindowSeconds} s`
  const ways: Way[] = [
    lambdaWay(
      kafka,
      broker,
      'lambda-deployed',
      `the real processor handler behind the local mapping, deployed settings (batch ${deployed})`,
      mapping.batchSize,
      mapping.maximumBatchingWindowSeconds * 1000,
    ),
    lambdaWay(
      kafka,
      broker,
      'lambda-500',
      'the real processor handler behind the local mapping, batch 500 / 1 s',
      500,
      1_000,
    ),
  ]
  if (options.flink) {
    ensureFlink()
    ways.push(flinkWay(broker))
  }

  const messages = producerRecords(records)
  const results = ways.map(() => [] as RoundResult[])
  const admin = kafka.admin()
  await admin.connect()
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const [i, way] of ways.entries()) {
        const wallStart = performance.now()
        const result = await runRound(admin, broker, way, messages)
        results[i]?.push(result)
        const { first, tenth, ninetieth, all } = result.timeline
        log(
          `round ${round}/${rounds} ${way.way}: first record ${(first / 1000).toFixed(2)} s, ` +
            `steady ${Math.round((records * 0.8) / ((ninetieth - tenth) / 1000))} rec/s, ` +
            `start to all ${Math.round(records / (all / 1000))} rec/s` +
            (result.invocations === undefined ? '' : `, ${result.invocations} invocations`) +
            ` (round ${((performance.now() - wallStart) / 1000).toFixed(1)} s, of which the fill ${result.fillS.toFixed(1)} s)`,
        )
      }
    }
  } finally {
    await admin.disconnect()
  }

  return ways.map((way, i) => {
    const rounds = results[i] ?? []
    const invocations = rounds.flatMap((r) => (r.invocations === undefined ? [] : [r.invocations]))
    return {
      way: way.way,
      label: way.label,
      steadyRate: summarise(
        rounds.map(({ timeline: t }) => (records * 0.8) / ((t.ninetieth - t.tenth) / 1000)),
      ),
      startToAllRate: summarise(rounds.map(({ timeline: t }) => records / (t.all / 1000))),
      firstRecordS: summarise(rounds.map(({ timeline: t }) => t.first / 1000)),
      ...(invocations.length > 0 ? { invocations: summarise(invocations) } : {}),
    }
  })
}
