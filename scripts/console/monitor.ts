import type { Admin, Kafka } from 'kafkajs'
import type { PartitionOffsets, PipelineTopics, TopicOffsets, TopicRole } from '../ops/pipeline-status.js'
import { readPipelineOffsets, topicOf, topicRoles } from '../ops/pipeline-status.js'
import { deleteGroup } from '../ops/topic-reader.js'
import { redriveCommand, replayCommand, type StageFlags, statusCommand } from './commands.js'
import { FLOW_NODES, type FlowNode, History, type Sample } from './history.js'
import { RecordReader } from './reader.js'
import { type BoardView, type DeadLetterView, type GaveUpView, RecordBoard } from './records.js'
import { explainFailure, type Notice, noticesFor, type Situation } from './words.js'

export interface MonitorOptions {
  readonly kafka: Kafka
  readonly topics: PipelineTopics
  readonly flags: StageFlags
  /** Where the mapping records what it gave up on. */
  readonly onFailure: 'kafka' | 'sqs' | 'none'
  /** The brokers as the page names them. */
  readonly brokers: string
  /** How often the cluster is read, for every viewer at once. */
  readonly intervalMs?: number
  /** How far back the charts go. */
  readonly historyMs?: number
  /** The window a rate is measured over. */
  readonly rateWindowMs?: number
}

/** How long after a reader failed the next one starts. */
const READER_RETRY_MS = 10_000

type Group = { readonly state: string; readonly members: number }

/** Every topic of the pipeline, as the page lists it, with the time of each partition's last record read. */
export type TopicTable = Record<
  TopicRole,
  {
    readonly topic: string
    readonly partitions: readonly (PartitionOffsets & { readonly lastRecordAt: string | null })[] | null
  }
>

/** What the page shows, sent to every viewer after each read of the cluster. */
export interface Snapshot {
  readonly at: string
  readonly stage: string
  readonly consumerGroupId: string
  readonly topics: Readonly<Record<TopicRole, string | null>>
  readonly intervalMs: number
  readonly historyMs: number
  readonly brokers: string
  readonly reachable: boolean
  readonly readAt: string | null
  readonly notices: readonly Notice[]
  readonly table: Partial<TopicTable> | null
  readonly group: Group | null
  readonly flow: Readonly<Record<FlowNode, { readonly count: number | null; readonly rate: number | null }>>
  readonly lag: number | null
  readonly deadLetters: {
    readonly total: number | null
    readonly read: number
    readonly reasons: readonly {
      readonly reason: string
      readonly count: number
      readonly redrivenBefore: number
      readonly redrive: string
      readonly latest: readonly DeadLetterView[]
    }[]
  }
  readonly gaveUp: {
    readonly destination: 'kafka' | 'sqs' | 'none'
    readonly total: number | null
    readonly read: number
    readonly replay: string | null
    readonly conditions: readonly {
      readonly condition: string
      readonly count: number
      readonly latest: readonly GaveUpView[]
    }[]
  }
  readonly sinkTable: BoardView['sinkTable']
  readonly commands: { readonly status: string }
  readonly sample: Sample
}

function sum(
  partitions: readonly PartitionOffsets[] | null | undefined,
  of: (p: PartitionOffsets) => number,
) {
  return partitions === null || partitions === undefined ? null : partitions.reduce((n, p) => n + of(p), 0)
}

/** The running count of each box of the picture: records written to a topic, or taken by the mapping. */
export function flowCounts(offsets: Partial<TopicOffsets> | undefined): Record<FlowNode, number | null> {
  const ends = (role: TopicRole) => sum(offsets?.[role], (p) => p.end)
  const sink = ends('sink')
  const deadLetters = ends('deadLetters')
  return {
    producer: ends('source'),
    source: ends('source'),
    // What the processor group has moved past: the end less the lag, as status counts the lag.
    mapping: sum(offsets?.source, (p) => p.end - (p.lag ?? 0)),
    processor: sink === null || deadLetters === null ? null : sink + deadLetters,
    sink,
    deadLetters,
    gaveUp: ends('gaveUp'),
  }
}

/** Every end and committed offset and the lag per partition, named as the charts' series. */
export function offsetSeries(topics: PipelineTopics, offsets: Partial<TopicOffsets> | undefined) {
  const series: Record<string, number | null> = {}
  const lag: Record<string, number | null> = {}
  for (const role of topicRoles(topics)) {
    for (const p of offsets?.[role] ?? []) {
      const name = `${topicOf(topics, role)}-${p.partition}`
      series[name] = p.end
      if (p.committed !== undefined) series[`${name} committed`] = p.committed
      if (p.lag !== undefined) lag[name] = p.lag
    }
  }
  return { series, lag }
}

/** A whole topic read from its start when the reader has reached every partition's end. */
function countingProgress(board: RecordBoard, topics: PipelineTopics, offsets: Partial<TopicOffsets>) {
  const view = board.view()
  const counting: { role: TopicRole; read: number; total: number }[] = []
  for (const role of ['deadLetters', 'gaveUp'] as const) {
    const partitions = offsets[role]
    if (partitions === null || partitions === undefined) continue
    const topic = topicOf(topics, role)
    const behind = partitions.some((p) => (board.next(topic, p.partition) ?? p.first) < p.end)
    if (behind)
      counting.push({ role, read: view.read[role], total: sum(partitions, (p) => p.end - p.first) ?? 0 })
  }
  return counting
}

/**
 * Reads the cluster every `intervalMs` (admin offset requests, one round for every viewer), keeps the
 * last minutes of numbers, and runs one reader of the records; each round's snapshot goes to the
 * listeners. Never writes to a topic or commits into another group.
 */
export class PipelineMonitor {
  readonly #options: Required<MonitorOptions>
  readonly #history: History
  readonly #listeners = new Set<(snapshot: Snapshot) => void>()
  #admin: Admin | undefined
  #board: RecordBoard
  #reader: RecordReader | undefined
  #offsets: Partial<TopicOffsets> | undefined
  #group: Group | undefined
  #readAt: Date | undefined
  #failure: Situation['failure']
  #readerStartError: string | undefined
  /** A reader that failed is made again after a while, not every round. */
  #nextReaderAt = 0
  /** The end offsets of the previous round, per `topic:partition`. */
  readonly #ends = new Map<string, number>()
  #snapshot: Snapshot | undefined
  #timer: NodeJS.Timeout | undefined
  #polling: Promise<void> = Promise.resolve()
  #stopped = false
  /** Groups of readers stopped while the broker was away, deleted once it answers again. */
  readonly #leftGroups = new Set<string>()

  constructor(options: MonitorOptions) {
    this.#options = { intervalMs: 1_000, historyMs: 10 * 60_000, rateWindowMs: 10_000, ...options }
    this.#history = new History(this.#options.historyMs)
    this.#board = new RecordBoard(options.topics)
  }

  get snapshot(): Snapshot | undefined {
    return this.#snapshot
  }

  get history(): readonly Sample[] {
    return this.#history.samples
  }

  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Reads once now, then every interval after the previous round ended. */
  start(): void {
    const round = () => {
      this.#polling = this.#poll().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(round, this.#options.intervalMs)
      })
    }
    round()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#polling
    if (this.#reader !== undefined) await this.#stopReader(this.#reader)
    await this.#deleteLeftGroups()
    await this.#admin?.disconnect().catch(() => undefined)
  }

  /** Stops a reader, keeping its group to delete later if the broker could not be told now. */
  async #stopReader(reader: RecordReader): Promise<void> {
    if (!(await reader.stop())) this.#leftGroups.add(reader.groupId)
  }

  async #deleteLeftGroups(): Promise<void> {
    for (const groupId of this.#leftGroups) {
      if (await deleteGroup(this.#options.kafka, groupId)) this.#leftGroups.delete(groupId)
    }
  }

  async #poll(): Promise<void> {
    const { topics } = this.#options
    const now = new Date()
    try {
      this.#admin ??= await this.#connectAdmin()
      const offsets = await readPipelineOffsets(this.#admin, topics)
      const [group] = (await this.#admin.describeGroups([topics.consumerGroupId])).groups
      this.#offsets = offsets
      this.#group = { state: group?.state ?? 'Dead', members: group?.members.length ?? 0 }
      this.#readAt = now
      this.#failure = undefined
    } catch (error) {
      this.#failure = { ...explainFailure(error), since: this.#failure?.since ?? now }
      const admin = this.#admin
      this.#admin = undefined
      await admin?.disconnect().catch(() => undefined)
    }
    if (this.#failure === undefined && this.#offsets !== undefined) {
      await this.#deleteLeftGroups()
      await this.#superviseReader(this.#offsets)
    }
    if (this.#stopped) return
    this.#snapshot = this.#snapshotAt(now)
    this.#history.add(this.#snapshot.sample)
    for (const listener of this.#listeners) listener(this.#snapshot)
  }

  async #connectAdmin(): Promise<Admin> {
    const admin = this.#options.kafka.admin()
    await admin.connect()
    return admin
  }

  /**
   * One reader while every topic is there; a fresh board when a topic went away or was made again (an
   * end offset went down, which a topic's never does), so nothing is counted twice or kept from a topic
   * gone.
   */
  async #superviseReader(offsets: Partial<TopicOffsets>): Promise<void> {
    const { topics, kafka } = this.#options
    const roles = topicRoles(topics)
    const missing = roles.some((role) => offsets[role] === null || offsets[role] === undefined)
    let remade = false
    for (const role of roles) {
      for (const p of offsets[role] ?? []) {
        const position = `${topicOf(topics, role)}:${p.partition}`
        if (p.end < (this.#ends.get(position) ?? 0)) remade = true
        this.#ends.set(position, p.end)
      }
    }
    if (missing) this.#ends.clear()
    if (this.#reader !== undefined && (missing || remade || this.#reader.error !== undefined)) {
      if (this.#reader.error !== undefined) this.#nextReaderAt = Date.now() + READER_RETRY_MS
      await this.#stopReader(this.#reader)
      this.#reader = undefined
    }
    if (missing || remade) this.#board = new RecordBoard(topics)
    if (this.#reader !== undefined || missing || this.#stopped || Date.now() < this.#nextReaderAt) return
    // Joining its group takes a moment: the rounds go on meanwhile.
    const reader = new RecordReader(kafka, topics, this.#board)
    this.#reader = reader
    reader.start(offsets as TopicOffsets).then(
      () => {
        this.#readerStartError = undefined
      },
      async (error: unknown) => {
        this.#readerStartError = explainFailure(error).message
        this.#nextReaderAt = Date.now() + READER_RETRY_MS
        await this.#stopReader(reader)
        if (this.#reader === reader) this.#reader = undefined
      },
    )
  }

  #snapshotAt(now: Date): Snapshot {
    const { topics, flags, onFailure, brokers, intervalMs, historyMs, rateWindowMs } = this.#options
    const reachable = this.#failure === undefined
    const offsets = reachable ? this.#offsets : undefined
    const t = now.getTime() / 1000
    const counts = flowCounts(offsets)
    const rates = this.#history.ratesAt(t, counts, rateWindowMs)
    const { series, lag } = offsetSeries(topics, offsets)
    const board = this.#board.view()
    const shown = this.#offsets
    const table: Partial<TopicTable> | null =
      shown === undefined
        ? null
        : Object.fromEntries(
            topicRoles(topics).map((role) => [
              role,
              {
                topic: topicOf(topics, role),
                partitions:
                  shown[role]?.map((p) => ({
                    ...p,
                    lastRecordAt: board.lastRecordAt[role][p.partition] ?? null,
                  })) ?? null,
              },
            ]),
          )
    const shownCounts = flowCounts(shown)
    const readerError = this.#reader?.error ?? this.#readerStartError
    const situation: Situation = {
      brokers,
      local: flags.stage === 'local',
      topics,
      ...(this.#failure === undefined ? {} : { failure: this.#failure }),
      ...(this.#readAt === undefined ? {} : { readAt: this.#readAt }),
      ...(shown === undefined ? {} : { offsets: shown }),
      ...(this.#group === undefined ? {} : { group: this.#group }),
      ...(readerError === undefined || !reachable ? {} : { readerError }),
      counting: shown === undefined || !reachable ? [] : countingProgress(this.#board, topics, shown),
    }
    return {
      at: now.toISOString(),
      stage: flags.stage,
      consumerGroupId: topics.consumerGroupId,
      topics: {
        source: topics.source,
        sink: topics.sink,
        deadLetters: topics.deadLetters,
        gaveUp: topics.gaveUp ?? null,
      },
      intervalMs,
      historyMs,
      brokers,
      reachable,
      readAt: this.#readAt?.toISOString() ?? null,
      notices: noticesFor(situation),
      table,
      group: this.#group ?? null,
      // The last numbers read stay in the picture while the brokers are away, as in the table.
      flow: Object.fromEntries(
        FLOW_NODES.map((node) => [node, { count: shownCounts[node], rate: rates[node] }]),
      ) as Snapshot['flow'],
      lag: sum(shown?.source, (p) => p.lag ?? 0),
      deadLetters: {
        total: sum(shown?.deadLetters, (p) => p.end - p.first),
        read: board.read.deadLetters,
        reasons: board.deadLetters.map(({ label, count, latest }) => ({
          reason: label,
          count,
          redrivenBefore: board.redrivenBefore[label] ?? 0,
          redrive: redriveCommand(flags, label),
          latest,
        })),
      },
      gaveUp: {
        destination: onFailure,
        total: sum(shown?.gaveUp, (p) => p.end - p.first),
        read: board.read.gaveUp,
        replay: onFailure === 'kafka' ? replayCommand(flags) : null,
        conditions: board.gaveUp.map(({ label, count, latest }) => ({ condition: label, count, latest })),
      },
      sinkTable: board.sinkTable,
      commands: { status: statusCommand(flags) },
      sample: { t, counts, rates, lag, offsets: series },
    }
  }
}
