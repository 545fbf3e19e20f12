import { asError, KafkaDeliveryError } from '../errors.js'
import type { MessageSink, OutgoingMessage, PartitionDelivery, TopicMessages } from '../kafka/sink.js'
import { describeError, logger } from '../log.js'
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
  readonly now?: () => number
}

/** Lambda's partial batch response for Kafka: resume `topic-partition` from `offset`. */
export interface KafkaBatchItemFailure {
  readonly itemIdentifier: { readonly partition: string; readonly offset: number }
}

export interface ProcessSummary {
  /** Source records of the event. */
  readonly records: number
  /** Sink records written: one per source record, more for a JSON array of rows (`flink` mode). */
  readonly written: number
  /** Source records dead-lettered. */
  readonly deadLettered: number
  readonly deliveries: PartitionDelivery[]
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
    const outcome = transformRecord(record, deadLetteredAt, deps.validation)
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

function summarise(work: readonly PartitionWork[], deliveries: PartitionDelivery[], now: number) {
  const written = work.reduce((sum, part) => sum + part.written, 0)
  const deadLettered = work.reduce((sum, part) => sum + part.deadLettered, 0)
  const oldest = Math.min(...work.map((part) => part.oldestTimestamp))
  return {
    records: work.reduce((sum, part) => sum + part.records, 0),
    written,
    deadLettered,
    deliveries,
    ...(Number.isFinite(oldest) ? { oldestRecordAgeMs: Math.max(0, now - oldest) } : {}),
  }
}

/**
 * Processes one MSK event: every record is either written to the sink topic or dead-lettered, and the
 * promise resolves only when the brokers have acknowledged them. A send failure rejects, so the
 * invocation fails and Lambda retries the batch (at-least-once); with partial batch responses on, only
 * the partitions that failed are reported for retry. Records go out in event order, and one ticker always
 * maps to one sink partition, so each ticker's order within a source partition holds.
 */
export async function processMskEvent(event: unknown, deps: ProcessorDeps): Promise<ProcessSummary> {
  assertMskEvent(event)
  const now = deps.now ?? Date.now
  const deadLetteredAt = now()
  const work = Object.entries(event.records).map(([id, records]) =>
    transformPartition(id, records, deps, deadLetteredAt),
  )

  if (!deps.reportBatchItemFailures) {
    try {
      const deliveries = await deps.sink.send(work.flatMap((part) => part.batches))
      return summarise(work, deliveries, now())
    } catch (error) {
      logger.error('Batch not acknowledged; the invocation fails and Lambda retries it', {
        partitions: work.map((part) => ({
          partition: part.id,
          fromOffset: part.firstOffset,
          records: part.records,
        })),
        error: describeError(error),
      })
      throw error
    }
  }

  const results = await Promise.allSettled(work.map((part) => deps.sink.send(part.batches)))
  const failed = work.filter((_, i) => results[i]?.status === 'rejected')
  if (failed.length > 0 && failed.length === work.length) {
    // Nothing was acknowledged: an invocation error, which Lambda's metrics and alarms see.
    const [first] = results
    throw first?.status === 'rejected' ? first.reason : new KafkaDeliveryError('Every partition failed')
  }
  for (const [i, result] of results.entries()) {
    if (result.status === 'rejected') {
      logger.error('Partition not acknowledged; reported for retry', {
        partition: work[i]?.id,
        offset: work[i]?.firstOffset,
        error: asError(result.reason).message,
      })
    }
  }
  const succeeded = work.filter((_, i) => results[i]?.status === 'fulfilled')
  const deliveries = results.flatMap((result) => (result.status === 'fulfilled' ? result.value : []))
  return {
    ...summarise(succeeded, deliveries, now()),
    batchItemFailures: failed.map((part) => ({
      itemIdentifier: { partition: part.id, offset: part.firstOffset },
    })),
    recordsNotAcknowledged: failed.reduce((sum, part) => sum + part.records, 0),
  }
}
