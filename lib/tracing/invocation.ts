import type middy from '@middy/core'
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api'
import type { Context as LambdaContext } from 'aws-lambda'
import { asError } from '../errors.js'
import { ATTR } from './attributes.js'
import { lambdaParent } from './lambda-parent.js'
import type { Tracing } from './tracing.js'

/** The FaaS conventions' attributes of one invocation. */
export function invocationAttributes(
  context: LambdaContext,
  trigger: 'timer' | 'pubsub' | 'other',
  coldStart: boolean,
): Attributes {
  return {
    [ATTR.faasTrigger]: trigger,
    [ATTR.faasInvocationId]: context.awsRequestId,
    [ATTR.faasColdstart]: coldStart,
    ...(context.invokedFunctionArn ? { [ATTR.cloudResourceId]: context.invokedFunctionArn } : {}),
  }
}

/** Marks a span failed with the error: status ERROR, `error.type`, and the exception as an event. */
export function fail(span: Span, thrown: unknown): void {
  const error = asError(thrown)
  span.recordException(error)
  span.setAttribute(ATTR.errorType, error.name)
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
}

/** Keyed by the invocation's context, so invocations that overlap in one environment stay apart. */
const invocations = new WeakMap<LambdaContext, Span>()

/** The invocation's span, as the parent context of what the handler records below it, when traced. */
export function invocationContext(context: LambdaContext): Context | undefined {
  const span = invocations.get(context)
  return span === undefined ? undefined : trace.setSpan(ROOT_CONTEXT, span)
}

/**
 * A span for each invocation, named after the function, under the segment Lambda records for it (so
 * Lambda's sampling decides, through the parent-based sampler); ended with the error when the invocation
 * fails, then everything the invocation recorded is exported before Lambda freezes the environment. Use
 * it first, so it spans the other middlewares too.
 */
export function traceInvocation<Event>(
  tracing: Tracing,
  trigger: 'timer' | 'other',
): middy.MiddlewareObj<Event, unknown, Error, LambdaContext> {
  const end = async (context: LambdaContext, error?: unknown) => {
    const span = invocations.get(context)
    if (span === undefined) return
    invocations.delete(context)
    if (error !== undefined) fail(span, error)
    span.end()
    await tracing.flush()
  }
  return {
    before: ({ context }) => {
      const coldStart = tracing.coldStart()
      if (!tracing.enabled) return
      const span = tracing.tracer.startSpan(
        context.functionName || 'handler',
        { kind: SpanKind.SERVER, attributes: invocationAttributes(context, trigger, coldStart) },
        lambdaParent(),
      )
      invocations.set(context, span)
    },
    after: ({ context }) => end(context),
    onError: ({ context, error }) => end(context, error ?? new Error('Invocation failed')),
  }
}

/** Exports what the invocation recorded before Lambda freezes the environment, whatever its outcome. */
export function flushTraces(tracing: Tracing): middy.MiddlewareObj {
  const flush = () => tracing.flush()
  return { after: flush, onError: flush }
}
