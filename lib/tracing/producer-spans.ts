import { type Context, SpanKind, trace } from '@opentelemetry/api'
import type { OutgoingHeader } from '../kafka/sink.js'
import { traceHeaderCarrier } from '../kafka/trace-headers.js'
import type { BatchToSend, BatchTrace } from '../producer/produce-batches.js'
import { ATTR, STOCKS } from './attributes.js'
import { fail } from './invocation.js'
import { propagator, type Tracing } from './tracing.js'

/**
 * Each batch a span `send <topic>` (kind PRODUCER, the messaging conventions' send span) under the
 * invocation's span, and its context in each of its records' headers, through the W3C propagator: the
 * processor links to it. Undefined when the invocation is not traced, so records then carry no headers.
 */
export function traceProducerBatches(
  tracing: Tracing,
  parent: Context | undefined,
): ((batch: BatchToSend) => BatchTrace) | undefined {
  if (!tracing.enabled || parent === undefined) return undefined
  return (batch) => {
    const span = tracing.tracer.startSpan(
      `send ${batch.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [ATTR.messagingSystem]: 'kafka',
          [ATTR.messagingSystemName]: 'kafka',
          [ATTR.messagingOperationType]: 'send',
          [ATTR.messagingOperationName]: 'send',
          [ATTR.messagingDestinationName]: batch.topic,
          [ATTR.messagingBatchMessageCount]: batch.records,
          [STOCKS.batchNumber]: batch.number,
        },
      },
      parent,
    )
    const headers: OutgoingHeader[] = []
    propagator.inject(trace.setSpan(parent, span), headers, traceHeaderCarrier)
    return {
      headers,
      end: (outcome) => {
        if ('error' in outcome) fail(span, outcome.error)
        else span.setAttribute(STOCKS.partitions, [...new Set(outcome.deliveries.map((d) => d.partition))])
        span.end()
      },
    }
  }
}
