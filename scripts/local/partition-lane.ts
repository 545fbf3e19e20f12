import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { KafkaMessage } from 'kafkajs'
import type { MskRecord } from '../../lib/msk/event.js'
import type { GiveUpCondition } from '../../lib/ops/on-failure-record.js'
import type { Invoker } from './invokers.js'
import { buildMskEvent, type EventSource, toMskRecord } from './msk-event.js'
import type { OnFailureDestination } from './on-failure-destinations.js'

/** Lambda's synchronous invocation payload limit: an event is closed before it would pass it. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024

export interface LaneSettings extends EventSource {
  readonly topic: string
  readonly partition: number
  readonly batchSize: number
  readonly maximumBatchingWindowMs: number
  readonly reportBatchItemFailures: boolean
  /** -1: until the invocation succeeds (10 with an on-failure destination, as Lambda caps it). */
  readonly maximumRetryAttempts: number
  /** -1: no limit. */
  readonly maximumRecordAgeMs: number
  readonly onFailure: OnFailureDestination | undefined
  readonly functionArn: string
  readonly retryDelayMs: (attempt: number) => number
  readonly invoker: Invoker
  /** Commits `offset` (the next one to read) for the lane's partition. */
  readonly commit: (offset: number) => Promise<void>
  readonly onInvocation?: ((report: InvocationReport) => void) | undefined
  readonly onGiveUp?: ((report: GiveUpReport) => void) | undefined
  /** Told of every failed write to the on-failure destination. */
  readonly onDestinationError?: ((report: DestinationErrorReport) => void) | undefined
  /** Told when the lane can take more records again, after `full` said it could not. */
  readonly onDrained: () => void
}

export interface InvocationReport {
  readonly records: number
  readonly partitions: readonly string[]
  readonly attempt: number
  /** How long the invocation took, seen from the mapping (the worker's IPC included). */
  readonly durationMs: number
  readonly error?: unknown
  /** `topic-partition` -> the offset to resume from, from a partial batch response. */
  readonly retried?: Readonly<Record<string, number>>
}

export interface GiveUpReport {
  readonly partition: string
  readonly records: number
  readonly firstOffset: number
  readonly lastOffset: number
  readonly condition: GiveUpCondition
  /**
   * false: the records were discarded, as Lambda discards them: there is no on-failure destination, or it
   * refused them (`deliveryError`).
   */
  readonly recorded: boolean
  /** Why the on-failure destination did not take them, when it refused them. */
  readonly deliveryError?: Error
}

/** A write to the on-failure destination that failed: Lambda's OnFailureDestinationDeliveryErrorCount. */
export interface DestinationErrorReport {
  readonly partition: string
  readonly records: number
  readonly firstOffset: number
  readonly lastOffset: number
  readonly attempt: number
  readonly error: Error
  /** false: the destination will not take them; they are dropped (Lambda's DroppedEventCount). */
  readonly willRetry: boolean
}

/**
 * How often a write the destination refuses for what the records are (too large, not allowed) is tried
 * before the records are dropped. A destination that cannot be reached (a broker outage) is tried until
 * it can: the offsets could not move on either.
 */
export const REFUSED_WRITE_ATTEMPTS = 3

/** kafkajs and the AWS SDK mark the errors that repeating will not cure. */
function refusal(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    const marks = e as { retriable?: unknown; $fault?: unknown }
    if (marks.retriable === false || marks.$fault === 'client') return true
  }
  return false
}

export class MappingStoppedError extends Error {}

function encodedBytes(message: KafkaMessage): number {
  const base64 = (buffer: Buffer | null) => (buffer === null ? 0 : Math.ceil(buffer.length / 3) * 4)
  return base64(message.key) + base64(message.value) + 200
}

/**
 * One partition of the local event source mapping: the records fetched for it wait here, are gathered
 * into events of up to `batchSize` records (or what arrived within the batching window), and are handed
 * to the partition's own invoker one event at a time, so records of a partition stay in order. A failed
 * event is retried, then given up on as Lambda's provisioned-mode mapping does; the partition's offset is
 * committed only once its records are done (processed, or recorded as given up on).
 */
export class PartitionLane {
  readonly #settings: LaneSettings
  readonly #id: string
  readonly #stop = new AbortController()
  #buffer: KafkaMessage[] = []
  /** The offset after the last record taken in; a re-fetched record below it is a duplicate. */
  #nextOffset = -1
  #wake: (() => void) | undefined
  #running: Promise<void> | undefined

  constructor(settings: LaneSettings) {
    this.#settings = settings
    this.#id = `${settings.topic}-${settings.partition}`
  }

  /** More than two events wait: the consumer should pause the partition. */
  get full(): boolean {
    return this.#buffer.length >= 2 * this.#settings.batchSize
  }

  /** Takes fetched records in, skipping any the lane already has (a fetch after a rejoin repeats them). */
  accept(messages: readonly KafkaMessage[]): void {
    for (const message of messages) {
      const offset = Number(message.offset)
      if (offset < this.#nextOffset) continue
      this.#buffer.push(message)
      this.#nextOffset = offset + 1
    }
    this.#wake?.()
    this.#running ??= this.#run()
  }

  /** Stops: an invocation under way finishes and commits; a retry or give-up in wait is abandoned. */
  async stop(): Promise<void> {
    this.#stop.abort()
    this.#wake?.()
    await this.#running
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const messages = await this.#nextEvent()
        await this.#deliver(
          messages.map((message) => toMskRecord(this.#settings.topic, this.#settings.partition, message)),
        )
      }
    } catch (error) {
      if (!(error instanceof MappingStoppedError) && !this.#stop.signal.aborted) throw error
    }
  }

  #waitForRecords(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(resolve, timeoutMs)
      this.#wake = () => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
    })
  }

  #checkStopped(): void {
    if (this.#stop.signal.aborted) throw new MappingStoppedError()
  }

  /** The next event's records: as soon as `batchSize` are here, or when the window since the first closes. */
  async #nextEvent(): Promise<KafkaMessage[]> {
    const { batchSize, maximumBatchingWindowMs } = this.#settings
    while (this.#buffer.length === 0) {
      this.#checkStopped()
      await this.#waitForRecords()
    }
    const closesAt = Date.now() + maximumBatchingWindowMs
    while (this.#buffer.length < batchSize && Date.now() < closesAt) {
      this.#checkStopped()
      await this.#waitForRecords(closesAt - Date.now())
    }
    this.#checkStopped()
    let count = 0
    let bytes = 0
    for (const message of this.#buffer) {
      bytes += encodedBytes(message)
      if (count === batchSize || (count > 0 && bytes > MAX_EVENT_BYTES)) break
      count++
    }
    const wasFull = this.full
    const taken = this.#buffer.splice(0, count)
    if (wasFull && !this.full) this.#settings.onDrained()
    return taken
  }

  #report(report: Omit<InvocationReport, 'partitions'>): void {
    this.#settings.onInvocation?.({ ...report, partitions: [this.#id] })
  }

  /** One event, retried until done or given up on; then its offsets are committed. */
  async #deliver(records: readonly MskRecord[]): Promise<void> {
    const { maximumRecordAgeMs, onFailure, retryDelayMs } = this.#settings
    // With an on-failure destination, Lambda turns infinite retries into 10 (kafka-on-failure-destination page).
    const maximumRetries =
      this.#settings.maximumRetryAttempts < 0 && onFailure !== undefined
        ? 10
        : this.#settings.maximumRetryAttempts
    let pending = records
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (maximumRecordAgeMs >= 0) {
        const oldestAllowed = Date.now() - maximumRecordAgeMs
        const expired = pending.filter((record) => record.timestamp < oldestAllowed)
        if (expired.length > 0) {
          await this.#giveUp(expired, 'RecordAgeExceeded', attempt - 1, false)
          pending = pending.filter((record) => record.timestamp >= oldestAllowed)
          if (pending.length === 0) break
        }
      }
      const requestId = randomUUID()
      const event = buildMskEvent([{ records: pending, id: this.#id }], this.#settings)
      let resumeAt: number | undefined
      const invokedAt = performance.now()
      try {
        resumeAt = this.#resumePoint(await this.#settings.invoker.invoke(event, requestId), pending)
      } catch (error) {
        this.#report({ records: pending.length, attempt, durationMs: performance.now() - invokedAt, error })
        this.#checkStopped()
        if (maximumRetries >= 0 && attempt > maximumRetries) {
          await this.#giveUp(pending, 'RetriesExhausted', attempt, true, requestId)
          break
        }
        await this.#sleep(retryDelayMs(attempt))
        continue
      }
      this.#report({
        records: pending.length,
        attempt,
        durationMs: performance.now() - invokedAt,
        ...(resumeAt === undefined ? {} : { retried: { [this.#id]: resumeAt } }),
      })
      if (resumeAt === undefined) break
      const done = pending.filter((record) => record.offset < resumeAt)
      const last = done[done.length - 1]
      if (last !== undefined) await this.#commit(last.offset + 1)
      pending = pending.filter((record) => record.offset >= resumeAt)
      if (maximumRetries >= 0 && attempt > maximumRetries) {
        await this.#giveUp(pending, 'RetriesExhausted', attempt, true, requestId)
        break
      }
      await this.#sleep(retryDelayMs(attempt))
    }
    const last = records[records.length - 1]
    if (last !== undefined) await this.#commit(last.offset + 1)
  }

  async #sleep(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.#stop.signal })
    } catch {
      throw new MappingStoppedError()
    }
  }

  /**
   * Records the records given up on at the destination, then the offsets move on. A destination that
   * cannot be reached is tried again until it can (the offsets could not move on either); one that refuses
   * the records is tried REFUSED_WRITE_ATTEMPTS times, then they are dropped, as Lambda drops what it
   * cannot deliver (its OnFailureDestinationDeliveryErrorCount and DroppedEventCount metrics,
   * "Types of metrics for Lambda functions"). Every failed write is reported, with its cause. Without a
   * destination the records are only reported: Lambda discards them.
   */
  async #giveUp(
    records: readonly MskRecord[],
    condition: GiveUpCondition,
    invokeCount: number,
    invoked: boolean,
    requestId: string = randomUUID(),
  ): Promise<void> {
    const { onFailure } = this.#settings
    const first = records[0]
    const last = records[records.length - 1]
    if (first === undefined || last === undefined) return
    const range = {
      partition: this.#id,
      records: records.length,
      firstOffset: first.offset,
      lastOffset: last.offset,
    }
    let deliveryError: Error | undefined
    if (onFailure !== undefined) {
      const failure = {
        requestId,
        functionArn: this.#settings.functionArn,
        condition,
        approximateInvokeCount: invokeCount,
        functionError: invoked ? ('Unhandled' as const) : undefined,
        at: new Date(),
      }
      const source = {
        eventSourceArn: this.#settings.eventSourceArn,
        bootstrapServers: this.#settings.bootstrapServers.join(','),
      }
      for (let attempt = 1, refused = 0; ; attempt++) {
        try {
          await onFailure.write(records, failure, source)
          deliveryError = undefined
          break
        } catch (error) {
          deliveryError = error instanceof Error ? error : new Error(String(error))
          if (refusal(error)) refused++
          const willRetry = refused < REFUSED_WRITE_ATTEMPTS
          this.#settings.onDestinationError?.({ ...range, attempt, error: deliveryError, willRetry })
          if (!willRetry) break
          this.#checkStopped()
          await this.#sleep(this.#settings.retryDelayMs(attempt))
        }
      }
    }
    this.#settings.onGiveUp?.({
      ...range,
      condition,
      recorded: onFailure !== undefined && deliveryError === undefined,
      ...(deliveryError === undefined ? {} : { deliveryError }),
    })
  }

  /**
   * Commits, trying again while the group is unreachable (a broker outage): the records are done, the
   * offset must follow. Stopped meanwhile, the offset stays behind and a restart repeats the records.
   */
  async #commit(offset: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#settings.commit(offset)
        return
      } catch {
        await this.#sleep(this.#settings.retryDelayMs(attempt))
      }
    }
  }

  /**
   * Where the partition resumes after a partial batch response, as Lambda reads one: `batchItemFailures`
   * of `{ itemIdentifier: { partition: "topic-partition", offset } }`, the lowest offset winning. An
   * identifier that names no record of the event fails the whole batch, as in Lambda (kafka-retry-configurations page).
   */
  #resumePoint(response: unknown, records: readonly MskRecord[]): number | undefined {
    if (!this.#settings.reportBatchItemFailures) return undefined
    const failures = (response as { batchItemFailures?: unknown } | undefined)?.batchItemFailures
    if (!Array.isArray(failures)) return undefined
    let resumeAt: number | undefined
    for (const failure of failures) {
      const { partition, offset } =
        (failure as { itemIdentifier?: { partition?: unknown; offset?: unknown } }).itemIdentifier ?? {}
      if (partition !== this.#id || !records.some((record) => record.offset === offset)) {
        throw new Error(`partial batch response names no record of the event: ${JSON.stringify(failure)}`)
      }
      resumeAt = Math.min(offset as number, resumeAt ?? Number.POSITIVE_INFINITY)
    }
    return resumeAt
  }
}
