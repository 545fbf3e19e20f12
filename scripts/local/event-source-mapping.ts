import { setTimeout as sleep } from 'node:timers/promises'
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs'
import type { MskEvent } from '../../lib/msk/event.js'
import { buildMskEvent, type EventSource, type PartitionMessages } from './msk-event.js'

export interface LocalMappingOptions extends EventSource {
  readonly kafka: Kafka
  readonly topic: string
  readonly consumerGroupId: string
  /** Lambda's BatchSize: the most records in one event. */
  readonly batchSize: number
  /** Lambda's MaximumBatchingWindowInSeconds, in milliseconds: how long to gather records for an event. */
  readonly maximumBatchingWindowMs: number
  readonly handler: (event: MskEvent) => Promise<unknown>
  /** Lambda's FunctionResponseTypes: ReportBatchItemFailures. Honour the handler's partial batch response. */
  readonly reportBatchItemFailures?: boolean
  /** Told of every invocation, failed ones included, for logs and tests. */
  readonly onInvocation?: (report: InvocationReport) => void
  readonly retryDelayMs?: (attempt: number) => number
}

export interface InvocationReport {
  readonly records: number
  readonly partitions: readonly string[]
  readonly attempt: number
  readonly error?: unknown
  /** `topic-partition` -> the offset to resume from, from a partial batch response. */
  readonly retried?: Readonly<Record<string, number>>
}

class MappingStoppedError extends Error {}

interface Pending extends PartitionMessages {
  readonly delivered: (count: number) => void
  readonly failed: (error: unknown) => void
}

const defaultRetryDelayMs = (attempt: number) => Math.min(10_000, 250 * 2 ** (attempt - 1))

/**
 * A local stand-in for Lambda's MSK event source mapping. It consumes the topic with a consumer group
 * from the earliest offset (TRIM_HORIZON), gathers records from all partitions into one event until
 * `batchSize` records or the batching window, invokes the handler, and commits the offsets only after
 * the handler succeeded. A failed invocation is retried with the same event, so nothing after it in those
 * partitions moves until it succeeds. One invocation runs at a time.
 */
export class LocalEventSourceMapping {
  readonly #options: LocalMappingOptions
  readonly #consumer: Consumer
  #open: Pending[] = []
  #openCount = 0
  #window: NodeJS.Timeout | undefined
  #delivering: Promise<void> = Promise.resolve()
  #stopped = false

  constructor(options: LocalMappingOptions) {
    this.#options = options
    this.#consumer = options.kafka.consumer({
      groupId: options.consumerGroupId,
      allowAutoTopicCreation: false,
    })
  }

  async start(): Promise<void> {
    await this.#consumer.connect()
    await this.#consumer.subscribe({ topic: this.#options.topic, fromBeginning: true })
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition's batch is handled at once, so one event can gather records from all of them.
      partitionsConsumedConcurrently: 64,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const keepAlive = setInterval(() => heartbeat().catch(() => undefined), 3_000)
        try {
          let next = 0
          while (next < batch.messages.length && isRunning() && !isStale() && !this.#stopped) {
            const messages = batch.messages.slice(next)
            // How many were delivered: all that were taken, or fewer after a partial batch response.
            const delivered = await this.#offer(batch.topic, batch.partition, messages)
            if (delivered > 0) resolveOffset((messages[delivered - 1] as KafkaMessage).offset)
            next += delivered
          }
        } catch (error) {
          if (!(error instanceof MappingStoppedError)) throw error
        } finally {
          clearInterval(keepAlive)
        }
      },
    })
  }

  /** Stops polling; an invocation under way finishes (and commits) first. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#window)
    for (const pending of this.#open) pending.failed(new MappingStoppedError())
    this.#open = []
    this.#openCount = 0
    await this.#delivering
    await this.#consumer.disconnect()
  }

  /** Adds as many messages as fit into the event being gathered; resolves with how many were delivered. */
  #offer(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<number> {
    if (this.#stopped) return Promise.reject(new MappingStoppedError())
    const taken = messages.slice(0, this.#options.batchSize - this.#openCount)
    return new Promise((delivered, failed) => {
      this.#open.push({ topic, partition, messages: taken, delivered: (count) => delivered(count), failed })
      this.#openCount += taken.length
      if (this.#openCount >= this.#options.batchSize) this.#closeEvent()
      else this.#window ??= setTimeout(() => this.#closeEvent(), this.#options.maximumBatchingWindowMs)
    })
  }

  #closeEvent(): void {
    clearTimeout(this.#window)
    this.#window = undefined
    const pending = this.#open
    this.#open = []
    this.#openCount = 0
    if (pending.length > 0) this.#delivering = this.#delivering.then(() => this.#deliver(pending))
  }

  async #deliver(pending: readonly Pending[]): Promise<void> {
    const event = buildMskEvent(pending, this.#options)
    const records = pending.reduce((sum, group) => sum + group.messages.length, 0)
    const partitions = pending.map((group) => `${group.topic}-${group.partition}`)
    const retryDelayMs = this.#options.retryDelayMs ?? defaultRetryDelayMs
    try {
      let resumeAt: Map<string, number> | undefined
      for (let attempt = 1; ; attempt++) {
        try {
          resumeAt = this.#resumePoints(await this.#options.handler(event), pending)
          this.#options.onInvocation?.({
            records,
            partitions,
            attempt,
            ...(resumeAt.size > 0 ? { retried: Object.fromEntries(resumeAt) } : {}),
          })
          break
        } catch (error) {
          this.#options.onInvocation?.({ records, partitions, attempt, error })
          if (this.#stopped) throw new MappingStoppedError()
          await sleep(retryDelayMs(attempt))
        }
      }
      // Each partition is done up to its resume point (all of it when none was reported).
      const done = pending.map((group) => {
        const from = resumeAt.get(`${group.topic}-${group.partition}`)
        return from === undefined
          ? group.messages.length
          : group.messages.filter((m) => Number(m.offset) < from).length
      })
      const commits = pending.flatMap((group, i) => {
        const last = group.messages[(done[i] ?? 0) - 1]
        return last === undefined
          ? []
          : [{ topic: group.topic, partition: group.partition, offset: String(Number(last.offset) + 1) }]
      })
      if (commits.length > 0) await this.#consumer.commitOffsets(commits)
      if (resumeAt.size > 0) await sleep(retryDelayMs(1))
      for (const [i, group] of pending.entries()) group.delivered(done[i] ?? 0)
    } catch (error) {
      for (const group of pending) group.failed(error)
    }
  }

  /**
   * Where each partition resumes after a partial batch response, as Lambda reads one: `batchItemFailures`
   * of `{ itemIdentifier: { partition: "topic-partition", offset } }`, the lowest offset per partition
   * winning. An identifier that names no record of the event fails the whole batch, as in Lambda.
   */
  #resumePoints(response: unknown, pending: readonly Pending[]): Map<string, number> {
    const resumeAt = new Map<string, number>()
    if (!this.#options.reportBatchItemFailures) return resumeAt
    const failures = (response as { batchItemFailures?: unknown } | undefined)?.batchItemFailures
    if (!Array.isArray(failures)) return resumeAt
    for (const failure of failures) {
      const { partition, offset } =
        (failure as { itemIdentifier?: { partition?: unknown; offset?: unknown } }).itemIdentifier ?? {}
      const group = pending.find((g) => `${g.topic}-${g.partition}` === partition)
      if (group === undefined || !group.messages.some((m) => Number(m.offset) === offset)) {
        throw new Error(`partial batch response names no record of the event: ${JSON.stringify(failure)}`)
      }
      resumeAt.set(
        partition as string,
        Math.min(offset as number, resumeAt.get(partition as string) ?? Infinity),
      )
    }
    return resumeAt
  }
}
