import type { ProcessorConfig } from '../../lib/config.js'
import { groupByPartition, type MskRecord } from '../../lib/msk/event.js'
import { batchResponse, type ProcessSummary } from '../../lib/processor/batch-response.js'
import { type ProcessorDeps, processMskEvent } from '../../lib/processor/process-event.js'
import type { ValidationMode } from '../../lib/stocks/format.js'
import { UsageError } from '../cli/flags.js'

/** The processor as the stage runs it: its sink and topics, format, validation and record size limit. */
export type ReprocessDeps = Pick<
  ProcessorDeps,
  'sink' | 'sinkTopic' | 'deadLetterTopic' | 'format' | 'validation' | 'maxMessageBytes'
>

/** The stage's processor over this sink, as its function is configured (another validation if given). */
export function stageProcessor(
  sink: ReprocessDeps['sink'],
  processor: ProcessorConfig,
  validation: ValidationMode = processor.validation,
): ReprocessDeps {
  if (!processor.format.validations.includes(validation)) {
    throw new UsageError(
      `--validation ${validation} needs a sink format that offers it; ${processor.sinkFormat} offers ${processor.format.validations.join(', ')}`,
    )
  }
  return {
    sink,
    sinkTopic: processor.sinkTopic,
    deadLetterTopic: processor.deadLetterTopic,
    format: processor.format,
    validation,
    maxMessageBytes: processor.kafka.maxMessageBytes,
  }
}

/**
 * Sends records through the processor again, as one event grouped by `topic-partition`: each reaches the
 * sink or the dead-letter topic, and the promise resolves only once the brokers acknowledged them all.
 */
export async function reprocess(records: readonly MskRecord[], deps: ReprocessDeps): Promise<ProcessSummary> {
  const result = await processMskEvent({ eventSource: 'aws:kafka', records: groupByPartition(records) }, deps)
  // As an invocation without partial batch responses: a partition not acknowledged fails, naming it.
  return batchResponse(result, false)
}

/** What a replay or redrive did with the records it chose: how many, and where they went. */
export interface ReprocessTally {
  selected: number
  written: number
  deadLettered: number
}

/**
 * Counts the records as selected and, unless it is a dry run, sends them through the processor and counts
 * where they went: one bookkeeping for replay (gave-up topic and SQS queue) and redrive.
 */
export async function reprocessAndCount(
  records: readonly MskRecord[],
  deps: ReprocessDeps,
  tally: ReprocessTally,
  dryRun: boolean,
): Promise<void> {
  tally.selected += records.length
  if (dryRun || records.length === 0) return
  const summary = await reprocess(records, deps)
  tally.written += summary.written
  tally.deadLettered += summary.deadLettered
}
