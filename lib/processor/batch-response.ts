import { KafkaDeliveryError } from '../errors.js'
import type { PartitionDelivery } from '../kafka/sink.js'
import type { PartitionResult, ProcessResult } from './process-event.js'

/**
 * Lambda's partial batch response for Kafka: resume `topic-partition` from `offset` ("Configuring error
 * handling controls for Kafka event sources", partial batch response).
 */
export interface KafkaBatchItemFailure {
  readonly itemIdentifier: { readonly partition: string; readonly offset: number }
}

/** What the processor answers Lambda, beside what `serverless invoke local` prints. */
export interface ProcessSummary {
  /** Source records of the event. */
  readonly records: number
  readonly written: number
  readonly deadLettered: number
  readonly deliveries: readonly PartitionDelivery[]
  /** With partial batch responses: the partitions Lambda sends again; empty when all were acknowledged. */
  readonly batchItemFailures?: KafkaBatchItemFailure[]
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
 * The invocation's answer to the event source mapping. With partial batch responses
 * (`FunctionResponseTypes: [ReportBatchItemFailures]` on the mapping, REPORT_BATCH_ITEM_FAILURES here) it
 * names the partitions that were not acknowledged, so Lambda sends only them again; when none was, or
 * without partial responses when any was not, it throws, naming each failed partition with its cause, and
 * Lambda retries the batch (an invocation error, which Lambda's metrics and alarms see).
 */
export function batchResponse(result: ProcessResult, reportBatchItemFailures: boolean): ProcessSummary {
  const failed = result.partitions.filter((part) => part.error !== undefined)
  if (failed.length > 0 && (!reportBatchItemFailures || failed.length === result.partitions.length)) {
    throw deliveryFailure(failed, result.partitions.length)
  }
  const { records, written, deadLettered, deliveries } = result
  return {
    records,
    written,
    deadLettered,
    deliveries,
    ...(reportBatchItemFailures
      ? {
          batchItemFailures: failed.map((part) => ({
            itemIdentifier: { partition: part.id, offset: part.firstOffset },
          })),
        }
      : {}),
  }
}
