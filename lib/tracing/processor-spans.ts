import {
  type Link,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api'
import type { Context as LambdaContext } from 'aws-lambda'
import { type TraceHeaders, traceHeaderCarrier } from '../kafka/trace-headers.js'
import { logger } from '../log.js'
import type { PartitionResult, ProcessResult } from '../processor/process-event.js'
import { ATTR, STOCKS } from './attributes.js'
import { fail, invocationAttributes } from './invocation.js'
import { lambdaParent, sampled } from './lambda-parent.js'
import { propagator, type Tracing } from './tracing.js'

/**
 * Links per span, at most: X-Ray links a segment to at most 20 traces ("Tracing event-driven
 * applications"), and a batch's records come from a few producer batches. The span says how many
 * distinct contexts there were (`stocks.upstream.contexts`).
 */
export const MAX_LINKS = 20

/** When the processing ran, epoch milliseconds. */
export interface ProcessingTimes {
  readonly startedAt: number
  readonly endedAt: number
}

/** The upstream contexts the headers carry, as links; headers that carry no valid context are skipped. */
function upstreamContexts(upstream: readonly TraceHeaders[]): SpanContext[] {
  const contexts: SpanContext[] = []
  for (const headers of upstream) {
    const context = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, traceHeaderCarrier))
    if (context !== undefined && trace.isSpanContextValid(context)) contexts.push(context)
  }
  return contexts
}

const key = (context: SpanContext) => `${context.traceId}-${context.spanId}`

/** The links for some upstream contexts: the sampled ones first (they decide the sampling), at most MAX_LINKS. */
function linksTo(contexts: readonly SpanContext[]): Link[] {
  const ordered = [
    ...contexts.filter((c) => (c.traceFlags & 1) === 1),
    ...contexts.filter((c) => (c.traceFlags & 1) === 0),
  ]
  return ordered.slice(0, MAX_LINKS).map((context) => ({ context }))
}

/** `stocks-in-1` as its topic and partition: the partition is what follows the last hyphen. */
function topicAndPartition(id: string): { topic: string; partition: string } {
  const at = id.lastIndexOf('-')
  return { topic: id.slice(0, at), partition: id.slice(at + 1) }
}

function partitionAttributes(part: PartitionResult, upstream: number) {
  const { topic, partition } = topicAndPartition(part.id)
  const reasons = Object.entries(part.deadLetterReasons).map(([reason, count]) => [
    `${STOCKS.deadLetterReasonPrefix}${reason}`,
    count,
  ])
  return {
    [ATTR.messagingSystem]: 'kafka',
    [ATTR.messagingSystemName]: 'kafka',
    [ATTR.messagingOperationType]: 'process',
    [ATTR.messagingOperationName]: 'process',
    [ATTR.messagingDestinationName]: topic,
    [ATTR.messagingDestinationPartitionId]: partition,
    [ATTR.messagingBatchMessageCount]: part.records,
    [STOCKS.firstOffset]: part.firstOffset,
    [STOCKS.written]: part.written,
    [STOCKS.deadLettered]: part.deadLettered,
    [STOCKS.upstreamContexts]: upstream,
    ...Object.fromEntries(reasons),
  }
}

/**
 * Records one processor invocation from what processMskEvent returned, beside the processing: a span for
 * the invocation (kind CONSUMER, the FaaS conventions' pubsub trigger) and one per source partition batch
 * (`process <topic>`, the messaging conventions' process span), each with a link to every distinct
 * upstream context its records carried (batch consumers link, they do not parent), its counts, and its
 * dead letters by reason; a partition not acknowledged is marked failed with its error.
 *
 * The invocation's span is a child of Lambda's segment when Lambda sampled the invocation; Lambda does
 * not trace invocations by an MSK event source mapping ("Visualize Lambda function invocations using
 * AWS X-Ray"), so otherwise it starts a trace of its own, and the sampler decides by its links: recorded
 * when the producer sampled some of the records (LinksAsParentSampler). Never throws.
 */
export function recordProcessorSpans(
  tracing: Tracing,
  result: ProcessResult,
  context: LambdaContext,
  times: ProcessingTimes,
): void {
  const coldStart = tracing.coldStart()
  if (!tracing.enabled) return
  try {
    const perPartition = result.partitions.map((part) => upstreamContexts(part.upstream))
    const distinct = new Map(perPartition.flat().map((c) => [key(c), c]))
    const lambda = lambdaParent()
    const parent = sampled(lambda) ? lambda : ROOT_CONTEXT
    const invocation = tracing.tracer.startSpan(
      context.functionName || 'processor',
      {
        kind: SpanKind.CONSUMER,
        startTime: times.startedAt,
        links: linksTo([...distinct.values()]),
        attributes: {
          ...invocationAttributes(context, 'pubsub', coldStart),
          [ATTR.messagingSystem]: 'kafka',
          [ATTR.messagingSystemName]: 'kafka',
          [ATTR.messagingOperationType]: 'process',
          [ATTR.messagingBatchMessageCount]: result.records,
          [STOCKS.written]: result.written,
          [STOCKS.deadLettered]: result.deadLettered,
          [STOCKS.notAcknowledged]: result.notAcknowledged,
          [STOCKS.upstreamContexts]: distinct.size,
        },
      },
      parent,
    )
    if (invocation.isRecording()) {
      const below = trace.setSpan(parent, invocation)
      result.partitions.forEach((part, i) => {
        const contexts = perPartition[i] ?? []
        const span = tracing.tracer.startSpan(
          `process ${topicAndPartition(part.id).topic}`,
          {
            kind: SpanKind.CONSUMER,
            startTime: times.startedAt,
            links: linksTo(contexts),
            attributes: partitionAttributes(part, new Set(contexts.map(key)).size),
          },
          below,
        )
        if (part.error !== undefined) fail(span, part.error)
        span.end(times.endedAt)
      })
      if (result.notAcknowledged > 0) {
        invocation.setStatus({
          code: SpanStatusCode.ERROR,
          message: `${result.notAcknowledged} records not acknowledged`,
        })
      }
    }
    invocation.end(times.endedAt)
  } catch (error) {
    logger.warn('Processor spans not recorded', { error })
  }
}
