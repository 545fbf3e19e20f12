import type { TraceBatch } from '../producer/produce-batches.js'
import { traceHeaders } from './record-headers.js'
import type { Span } from './segment.js'

/**
 * Each batch a subsegment `send <topic>` of the invocation's, and each record of the batch carries it as
 * its parent: the processor continues the trace from there. Undefined when the invocation is not traced,
 * so records then carry no headers at all.
 */
export function traceProducerBatches(span: Span | undefined): TraceBatch | undefined {
  if (span === undefined) return undefined
  return async (batch, send) => {
    const child = span
      .child(`send ${batch.topic}`)
      .annotate('topic', batch.topic)
      .annotate('batch', batch.number)
      .annotate('records', batch.records)
    try {
      return await send(traceHeaders(child.context))
    } catch (error) {
      child.fail(error)
      throw error
    } finally {
      child.close()
    }
  }
}
