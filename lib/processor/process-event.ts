import { asError, KafkaDeliveryError } from '../errors.js'
import type { MessageSink, OutgoingMessage, PartitionDelivery, TopicMessages } from '../kafka/sink.js'
import { logger } from '../log.js'
import { assertMskEvent, type MskRecord } from '../msk/event.js'
import type { ValidationMode } from '../stocks/codec.js'
import { transformRecord } from './transform.js'

export interface ProcessorDeps {
  readonly sink: MessageSink
  readonly sinkTopic: string
  readonly deadLetterTopic: string
  /**
   * Answer with Lambda's partial batch response (the event source mapping must have
   * `FunctionResponseTypes: [ReportBatchItemFailures]`): each source partition is sent on its own, and
   * only the partitions whose records were not acknowledged are reported, so Lambda re-sends only them.
   */
  readonly reportBatchItemFailures?: boolean
  /** How source values are read; `strict` when not given. */
  readonly validation?: ValidationMode
  /** The topics' `max.message.bytes` (KAFKA_MAX_MESSAGE_BYTES): no record written is larger. */
  readonly maxMessageBytes?: number
  readonly now?: () => number
}

/** Lambda's partial batch response for Kafka: resume `topic-partition` from `offset`. */
export interface KafkaBatchItemFailure {
  readonly itemIdentifier: { readonly partition: string; readonly offset: number }
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
  readonly deliveries: readonly PartitionDelivery[]
  /** Why the partition's records were not acknowledged; absent when they all were. */
  readonly error?: Error
}

export interface ProcessSummary {
  /** Source records of the partitions acknowledged. */
  readonly records: number
  /** Sink records written. */
  readonly written: number
  /** Source records dead-lettered. */
  readonly deadLettered: number
  readonly deliveries: PartitionDelivery[]
  /** Every source partition of the event, in event order, acknowledged or not. */
  readonly partitions: readonly PartitionResult[]
  /** Present when partial batch responses are on; empty when every record was acknowledged. */
  readonly batchItemFailures?: KafkaBatchItemFailure[]
  /** Records of the partitions reported in batchItemFailures, which Lambda sends again. */
  readonly recordsNotAcknowledged?: number
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
  for (const record of records) {
    const outcome = transformRecord(record, deadLetteredAt, deps.validation, deps.maxMessageBytes)
    if (outcome.kind === 'sink') {
      for (const message of outcome.messages) sinkMessages.push(message)
      continue
    }
    deadLetters.push(outcome.message)
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
    oldestTimestamp: Math.min(...records.map((record) => record.timestamp)),
    batches: [
      { topic: deps.sinkTopic, messages: sinkMessages },
      { topic: deps.deadLetterTopic, messages: deadLetters },
    ],
    written: sinkMessages.length,
    deadLettered: deadLetters.length,
  }
}

/** Sends one partition's records; a failure is its result, never another partition's. */
async function sendPartition(part: PartitionWork, sink: MessageSink): Promise<PartitionResult> {
  const { id, records, firstOffset, written, deadLettered } = part
  try {
    const deliveries = await sink.send(part.batches)
    return { id, records, firstOffset, written, deadLettered, deliveries }
  } catch (thrown) {
    const error = asError(thrown)
    logger.error('Partition not acknowledged', { partition: id, fromOffset: firstOffset, records, error })
    return { id, records, firstOffset, written: 0, deadLettered: 0, deliveries: [], error }
  }
}

/** The error an invocation fails with: every partition that was not acknowledged, each with its cause. */
function deliveryFailure(failed: readonly PartitionResult[], total: number): KafkaDeliveryError {
  const each = failed.map(
    (part) => `${part.id} from offset ${part.firstOffset} (${part.records} records): ${part.error?.message}`,
  )
  return new KafkaDeliveryError(
    `${failed.length} of ${total} partitions not acknowledged; Lambda retries them: ${each.join('; ')}`,
    { cause: failed.length === 1 ? failed[0]?.error : new AggregateError(failed.map((part) => part.error)) },
  )
}

/**
 * Processes one MSK event: every record is either written to the sink topic or dead-lettered, and the
 * promise resolves only when the brokers have acknowledged them. Each source partition is sent on its
 * own, so one partition's failure never fails another's. With partial batch responses on, the partitions
 * that failed are reported for retry (or, when none was acknowledged, the invocation fails, which Lambda's
 * metrics and alarms see); without, any failure fails the invocation, naming each failed partition, and
 * Lambda retries the whole batch (at-least-once). Records go out in event order, and one ticker always
 * maps to one sink partition, so each ticker's order within a source partition holds.
 */
export async function processMskEvent(event: unknown, deps: ProcessorDeps): Promise<ProcessSummary> {
  assertMskEvent(event)
  const now = deps.now ?? Date.now
  const deadLetteredAt = now()
  const work = Object.entries(event.records).map(([id, records]) =>
    transformPartition(id, records, deps, deadLetteredAt),
  )
  const partitions = await Promise.all(work.map((part) => sendPartition(part, deps.sink)))
  const failed = partitions.filter((part) => part.error !== undefined)
  if (failed.length > 0 && (!deps.reportBatchItemFailures || failed.length === partitions.length)) {
    throw deliveryFailure(failed, partitions.length)
  }
  const acknowledged = partitions.filter((part) => part.error === undefined)
  const oldest = Math.min(
    ...work.filter((_, i) => partitions[i]?.error === undefined).map((part) => part.oldestTimestamp),
  )
  return {
    records: acknowledged.reduce((sum, part) => sum + part.records, 0),
    written: acknowledged.reduce((sum, part) => sum + part.written, 0),
    deadLettered: acknowledged.reduce((sum, part) => sum + part.deadLettered, 0),
    deliveries: acknowledged.flatMap((part) => part.deliveries),
    partitions,
    ...(Number.isFinite(oldest) ? { oldestRecordAgeMs: Math.max(0, now() - oldest) } : {}),
    ...(deps.reportBatchItemFailures
      ? {
          batchItemFailures: failed.map((part) => ({
            itemIdentifier: { partition: part.id, offset: part.firstOffset },
          })),
          recordsNotAcknowledged: failed.reduce((sum, part) => sum + part.records, 0),
        }
      : {}),
  }
}
