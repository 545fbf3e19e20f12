import { batchResponse, type ProcessSummary } from '../../lib/processor/batch-response.js'
import { type ProcessorDeps, processMskEvent } from '../../lib/processor/process-event.js'
import { format } from './format.js'

/**
 * The processor as its handler answers Lambda (the processing, then batchResponse: a failure fails the
 * invocation), without the handler's middleware: for the local mapping run in the test's own process.
 * The pipeline's default sink format unless given.
 */
export function processorHandler(
  deps: Omit<ProcessorDeps, 'format'> & Partial<Pick<ProcessorDeps, 'format'>>,
  reportBatchItemFailures = false,
): (event: unknown) => Promise<ProcessSummary> {
  return async (event) =>
    batchResponse(await processMskEvent(event, { format, ...deps }), reportBatchItemFailures)
}
