import type { MessageSink } from '../../lib/kafka/sink.js'
import { groupByPartition, type MskRecord } from '../../lib/msk/event.js'
import { type ProcessSummary, processMskEvent } from '../../lib/processor/process-event.js'
import type { ValidationMode } from '../../lib/stocks/codec.js'

export interface ReprocessDeps {
  readonly sink: MessageSink
  readonly sinkTopic: string
  readonly deadLetterTopic: string
  readonly validation: ValidationMode
}

/**
 * Sends records through the processor again, as one event grouped by `topic-partition`: each reaches the
 * sink or the dead-letter topic, and the promise resolves only once the brokers acknowledged them all.
 */
export function reprocess(records: readonly MskRecord[], deps: ReprocessDeps): Promise<ProcessSummary> {
  return processMskEvent({ eventSource: 'aws:kafka', records: groupByPartition(records) }, deps)
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
