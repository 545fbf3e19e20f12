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
