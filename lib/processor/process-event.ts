import { asError } from '../errors.js'
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from '../kafka/record-size.js'
import type { MessageSink, OutgoingMessage, PartitionDelivery, TopicMessages } from '../kafka/sink.js'
import type { TraceHeaders } from '../kafka/trace-headers.js'
import { logger } from '../log.js'
import { assertMskEvent, type MskRecord } from '../msk/event.js'
import type { StockFormat, ValidationMode } from '../stocks/format.js'
import type { RejectionReason } from '../stocks/reasons.js'
import { carriedTraceHeaders, UpstreamContexts } from './trace-headers.js'
import { transformRecord } from './transform.js'

export interface ProcessorDeps {
  readonly sink: MessageSink
  readonly sinkTopic: string
  readonly deadLetterTopic: string
  /** The sink format (SINK_FORMAT): how source values are read and sink records written. */
  readonly format: StockFormat
  /** How source values are read; `strict` when not given. */
  readonly validation?: ValidationMode
  /** The topics' `max.message.bytes` (KAFKA_MAX_MESSAGE_BYTES): no record written is larger. */
  readonly maxMessageBytes?: number
  readonly now?: () => number
}

/** What became of one source partition's records. */
export interface PartitionResult {
  /** `topic-partition`, as the event names it. */
  readonly id: string
  readonly records: number
  readonly firstOffset: number
  /** Sink records written: one per source record, more for a JSON array of rows (`flink` mode). */
  readonly written: number
  /** Source records dead-lettered. */
  readonly deadLettered: number
  /** How many were dead-lettered for each reason. */
  readonly deadLetterReasons: Readonly<Partial<Record<RejectionReason, number>>>
  readonly deliveries: readonly PartitionDelivery[]
  /**
   * The distinct trace contexts the partition's records carried, as their trace headers (`traceparent`,
   * `tracestate`), in order of first appearance: what tracing links the partition's span to.
   */
  readonly upstream: readonly TraceHeaders[]
  /** Why the partition's records were not acknowledged; absent when they all were. */
  readonly error?: Error
}

/** What happened to an event's records: per partition, and in all. */
export interface ProcessResult {
  /** Every source partition of the event, in event order, acknowledged or not. */
  readonly partitions: readonly PartitionResult[]
  /** Source records of the event. */
  readonly records: number
  /** Sink records the brokers acknowledged. */
  readonly written: number
  /** Source records dead-lettered, and acknowledged. */
  readonly deadLettered: number
  /** Source records of the partitions not acknowledged, which Lambda must send again. */
  readonly notAcknowledged: number
  readonly deliveries: readonly PartitionDelivery[]
  /** How long ago the oldest record of the event was written to the source topic. */
  readonly oldestRecordAgeMs?: number
}

interface PartitionWork {
  readonly id: string
  /** Source records: each one is written (as one sink record, or several for a JSON array) or dead-lettered. */
  readonly records: number
  readonly firstOffset: number
  readonly oldestTimestamp: number
  readonly batches: TopicMessages[]
  readonly written: number
  readonly deadLettered: number
  readonly deadLetterReasons: Partial<Record<RejectionReason, number>>
  readonly upstream: readonly TraceHeaders[]
}

/** The oldest record's timestamp, in a loop: a spread of a large partition's timestamps overflows the stack. */
function oldestTimestamp(records: readonly MskRecord[]): number {
  let oldest = Number.POSITIVE_INFINITY
  for (const record of records) if (record.timestamp < oldest) oldest = record.timestamp
  return oldest
}

/** The per-record step over one source partition's records, in offset order. */
function transformPartition(
  id: string,
  records: readonly MskRecord[],
  deps: ProcessorDeps,
  deadLetteredAt: number,
): PartitionWork {
  const sinkMessages: OutgoingMessage[] = []
  const deadLetters: OutgoingMessage[] = []
  const deadLetterReasons: Partial<Record<RejectionReason, number>> = {}
  const options = {
    format: deps.format,
    validation: deps.validation ?? 'strict',
    maxMessageBytes: deps.maxMessageBytes ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
    deadLetteredAt,
  }
  const upstream = new UpstreamContexts()
  for (const record of records) {
    const trace = carriedTraceHeaders(record)
    upstream.add(trace)
    const outcome = transformRecord(record, options, trace)
    if (outcome.kind === 'sink') {
      for (const message of outcome.messages) sinkMessages.push(message)
      continue
    }
    deadLetters.push(outcome.message)
    deadLetterReasons[outcome.reason] = (deadLetterReasons[outcome.reason] ?? 0) + 1
    logger.warn('Record dead-lettered', {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      reason: outcome.reason,
      detail: outcome.detail,
    })
  }
  return {
    id,
    records: records.length,
    firstOffset: records[0]?.offset ?? 0,
    oldestTimestamp: oldestTimestamp(records),
    batches: [
      { topic: deps.sinkTopic, messages: sinkMessages },
      { topic: deps.deadLetterTopic, messages: deadLetters },
    ],
    written: sinkMessages.length,
    deadLettered: deadLetters.length,
    deadLetterReasons,
    upstream: upstream.found,
  }
}

/** Sends one partition's records; a failure is its result, never another partition's. */
async function sendPartition(part: PartitionWork, sink: MessageSink): Promise<PartitionResult> {
  const { id, records, firstOffset, written, deadLettered, deadLetterReasons, upstream } = part
  try {
    const deliveries = await sink.send(part.batches)
    return { id, records, firstOffset, written, deadLettered, deadLetterReasons, deliveries, upstream }
  } catch (thrown) {
    const error = asError(thrown)
    logger.error('Partition not acknowledged', { partition: id, fromOffset: firstOffset, records, error })
    return {
      id,
      records,
      firstOffset,
      written: 0,
      deadLettered: 0,
      deadLetterReasons: {},
      deliveries: [],
      upstream,
      error,
    }
  }
}

const sum = (parts: readonly PartitionResult[], count: (part: PartitionResult) => number) =>
  parts.reduce((total, part) => total + count(part), 0)

/**
 * Processes one MSK event: every record is either written to the sink topic or dead-lettered, and the
 * promise resolves once the brokers have acknowledged them or refused them. Each source partition is sent
 * on its own, so one partition's failure never fails another's; the result says, per partition, what was
 * written, what was dead-lettered and why, and what was not acknowledged with its cause. What the
 * invocation answers Lambda (lib/processor/batch-response.ts) follows from it. Records go out in event
 * order, and one ticker always maps to one sink partition, so each ticker's order within a source
 * partition holds.
 */
export async function processMskEvent(event: unknown, deps: ProcessorDeps): Promise<ProcessResult> {
  assertMskEvent(event)
  const now = deps.now ?? Date.now
  const deadLetteredAt = now()
  const work = Object.entries(event.records).map(([id, records]) =>
    transformPartition(id, records, deps, deadLetteredAt),
  )
  const partitions = await Promise.all(work.map((part) => sendPartition(part, deps.sink)))
  const acknowledged = partitions.filter((part) => part.error === undefined)
  const oldest = Math.min(
    ...work.filter((_, i) => partitions[i]?.error === undefined).map((part) => part.oldestTimestamp),
  )
  return {
    partitions,
    records: sum(partitions, (part) => part.records),
    written: sum(acknowledged, (part) => part.written),
    deadLettered: sum(acknowledged, (part) => part.deadLettered),
    notAcknowledged: sum(partitions, (part) => (part.error === undefined ? 0 : part.records)),
    deliveries: acknowledged.flatMap((part) => part.deliveries),
    ...(Number.isFinite(oldest) ? { oldestRecordAgeMs: Math.max(0, now() - oldest) } : {}),
  }
}
