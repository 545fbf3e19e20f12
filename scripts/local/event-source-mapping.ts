import type { Consumer, Kafka } from 'kafkajs'
import type { MskEvent } from '../../lib/msk/event.js'
import { type Invoker, inProcessInvoker } from './invokers.js'
import { localFunctionArn } from './lambda-context.js'
import type { EventSource } from './msk-event.js'
import type { OnFailureDestination } from './on-failure-destinations.js'
import {
  type DestinationErrorReport,
  type GiveUpReport,
  type InvocationReport,
  PartitionLane,
} from './partition-lane.js'

export type { DestinationErrorReport, GiveUpReport, InvocationReport } from './partition-lane.js'

export interface LocalMappingOptions extends EventSource {
  readonly kafka: Kafka
  readonly topic: string
  readonly consumerGroupId: string
  /** Lambda's BatchSize: the most records in one event. */
  readonly batchSize: number
  /** Lambda's MaximumBatchingWindowInSeconds, in milliseconds: how long to gather records for an event. */
  readonly maximumBatchingWindowMs: number
  /**
   * The function: a handler called in this process (one environment for every partition), or a factory
   * of invokers, called once per partition (one environment each, as Lambda scales to one concurrent
   * invocation per partition).
   */
  readonly handler?: (event: MskEvent) => Promise<unknown>
  readonly invokerFor?: (partition: string) => Invoker
  readonly functionArn?: string
  /** Lambda's FunctionResponseTypes: ReportBatchItemFailures. Honour the handler's partial batch response. */
  readonly reportBatchItemFailures?: boolean
  /** Lambda's MaximumRetryAttempts; -1 (the default): retry until it succeeds. */
  readonly maximumRetryAttempts?: number
  /** Lambda's MaximumRecordAgeInSeconds; -1 (the default): no limit. */
  readonly maximumRecordAgeSeconds?: number
  /** Lambda's DestinationConfig.OnFailure: where records given up on are recorded. */
  readonly onFailure?: OnFailureDestination
  /** Told of every invocation, failed ones included, for logs and tests. */
  readonly onInvocation?: (report: InvocationReport) => void
  /** Told of every batch given up on. */
  readonly onGiveUp?: (report: GiveUpReport) => void
  /** Told of every failed write to the on-failure destination. */
  readonly onDestinationError?: (report: DestinationErrorReport) => void
  readonly retryDelayMs?: (attempt: number) => number
}

/**
 * What the mapping did, counted as Lambda's event source mapping metrics name it ("Types of metrics for
 * Lambda functions", EventCount and ErrorCount): records invoked, records of failed invocations, records
 * recorded at the on-failure destination, failed writes to it, and records dropped (given up on without
 * being recorded).
 */
export interface MappingCounts {
  InvokedEventCount: number
  FailedInvokeEventCount: number
  OnFailureDestinationDeliveredEventCount: number
  OnFailureDestinationDeliveryErrorCount: number
  DroppedEventCount: number
}

const defaultRetryDelayMs = (attempt: number) => Math.min(10_000, 250 * 2 ** (attempt - 1))

/**
 * A local stand-in for Lambda's MSK event source mapping (provisioned mode). One consumer group reads the
 * topic from the earliest offset (TRIM_HORIZON) and keeps fetching while the function runs; each partition
 * has its own lane, which gathers its records into events of up to `batchSize` (or what the batching window
 * brought) and invokes the function with one event at a time, so partitions run side by side and each
 * stays in order. Offsets are committed only after the function succeeded, or after the records it kept
 * failing on were recorded at the on-failure destination; a partition whose lane falls behind is paused.
 */
export class LocalEventSourceMapping {
  readonly #options: LocalMappingOptions
  readonly #consumer: Consumer
  readonly #lanes = new Map<string, PartitionLane>()
  readonly #invokers: Invoker[] = []
  #sharedInvoker: Invoker | undefined
  readonly counts: MappingCounts = {
    InvokedEventCount: 0,
    FailedInvokeEventCount: 0,
    OnFailureDestinationDeliveredEventCount: 0,
    OnFailureDestinationDeliveryErrorCount: 0,
    DroppedEventCount: 0,
  }

  constructor(options: LocalMappingOptions) {
    if ((options.handler === undefined) === (options.invokerFor === undefined)) {
      throw new Error('LocalEventSourceMapping needs one of handler or invokerFor')
    }
    this.#options = options
    this.#consumer = options.kafka.consumer({
      groupId: options.consumerGroupId,
      allowAutoTopicCreation: false,
      // Enough per fetch for several events of every partition, so the next one is here when a lane is free.
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      maxWaitTimeInMs: 100,
    })
  }

  async start(): Promise<void> {
    await this.#consumer.connect()
    await this.#consumer.subscribe({ topic: this.#options.topic, fromBeginning: true })
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isStale }) => {
        if (isStale() || batch.messages.length === 0) return
        const lane = this.#lane(batch.topic, batch.partition)
        lane.accept(batch.messages)
        // The fetch position moves on; the committed offset moves only when the lane is done with them.
        resolveOffset(batch.lastOffset())
        if (lane.full) this.#consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }])
        await heartbeat()
      },
    })
  }

  /** Stops polling; an invocation under way finishes (and commits) first. */
  async stop(): Promise<void> {
    await Promise.all([...this.#lanes.values()].map((lane) => lane.stop()))
    await this.#consumer.disconnect()
    await Promise.all(this.#invokers.map((invoker) => invoker.close()))
    await this.#options.onFailure?.close()
  }

  /**
   * Commits one partition's offset, or throws: while the consumer rejoins its group (after a broker
   * outage), kafkajs skips a commit without an error, so only its COMMIT_OFFSETS event confirms one.
   */
  async #commit(topic: string, partition: number, offset: number): Promise<void> {
    const wanted = String(offset)
    let confirmed = false
    const stopListening = this.#consumer.on(this.#consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      confirmed ||= payload.topics.some(
        (committed) =>
          committed.topic === topic &&
          committed.partitions.some((p) => Number(p.partition) === partition && String(p.offset) === wanted),
      )
    })
    try {
      await this.#consumer.commitOffsets([{ topic, partition, offset: wanted }])
    } finally {
      stopListening()
    }
    if (!confirmed) {
      throw new Error(
        `offset ${wanted} of ${topic}-${partition} not committed: the consumer is not in its group`,
      )
    }
  }

  #invoker(partition: string): Invoker {
    const { handler, invokerFor } = this.#options
    if (invokerFor !== undefined) {
      const invoker = invokerFor(partition)
      this.#invokers.push(invoker)
      return invoker
    }
    this.#sharedInvoker ??= inProcessInvoker((event) => (handler as NonNullable<typeof handler>)(event))
    return this.#sharedInvoker
  }

  #lane(topic: string, partition: number): PartitionLane {
    const id = `${topic}-${partition}`
    const existing = this.#lanes.get(id)
    if (existing !== undefined) return existing
    const options = this.#options
    const lane = new PartitionLane({
      topic,
      partition,
      batchSize: options.batchSize,
      maximumBatchingWindowMs: options.maximumBatchingWindowMs,
      eventSourceArn: options.eventSourceArn,
      bootstrapServers: options.bootstrapServers,
      reportBatchItemFailures: options.reportBatchItemFailures ?? false,
      maximumRetryAttempts: options.maximumRetryAttempts ?? -1,
      maximumRecordAgeMs:
        (options.maximumRecordAgeSeconds ?? -1) < 0 ? -1 : (options.maximumRecordAgeSeconds ?? 0) * 1000,
      onFailure: options.onFailure,
      functionArn: options.functionArn ?? localFunctionArn('processor'),
      retryDelayMs: options.retryDelayMs ?? defaultRetryDelayMs,
      invoker: this.#invoker(id),
      commit: (offset) => this.#commit(topic, partition, offset),
      onInvocation: (report) => {
        this.counts.InvokedEventCount += report.records
        if (report.error !== undefined || report.retried !== undefined)
          this.counts.FailedInvokeEventCount += report.records
        options.onInvocation?.(report)
      },
      onGiveUp: (report) => {
        if (report.recorded) this.counts.OnFailureDestinationDeliveredEventCount += report.records
        else this.counts.DroppedEventCount += report.records
        options.onGiveUp?.(report)
      },
      onDestinationError: (report) => {
        this.counts.OnFailureDestinationDeliveryErrorCount++
        options.onDestinationError?.(report)
      },
      onDrained: () => this.#consumer.resume([{ topic, partitions: [partition] }]),
    })
    this.#lanes.set(id, lane)
    return lane
  }
}
