import type middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { SERVICE_NAME } from '../service.js'
import type { Span } from './segment.js'
import type { InvocationTrace, Tracer } from './tracer.js'

/** The handler as Lambda names it (`functions/processor.handler`), as Powertools names its subsegment. */
const handlerPath = () => process.env._HANDLER ?? 'handler'

/** Keyed by the invocation's context, so invocations that overlap in one environment stay apart. */
const traces = new WeakMap<Context, InvocationTrace>()

/** The invocation's handler subsegment, when the invocation is traced: the parent of the spans it records. */
export function invocationSpan(context: Context): Span | undefined {
  return traces.get(context)?.handler
}

/**
 * Records each sampled invocation as a subsegment `## <handler>` with the annotations ColdStart and
 * Service, its response as metadata (`<handler> response`) or its error as the cause, as Powertools'
 * captureLambdaHandler does and with the same switches (TracingSettings); what the handler
 * records below it is sent with it when the invocation ends. Use it first, so it spans the other
 * middlewares too.
 */
export function traceInvocation<Event>(
  tracer: Tracer,
  /** Whether the event carries a trace its producer sampled (Tracer.begin's `sampledUpstream`). */
  sampledUpstream: (event: Event) => boolean = () => false,
): middy.MiddlewareObj<Event, unknown, Error, Context> {
  let coldStart = true
  const end = async (context: Context, outcome: { response: unknown } | { error: unknown }) => {
    const trace = traces.get(context)
    if (trace === undefined) return
    traces.delete(context)
    if ('error' in outcome) trace.handler.fail(outcome.error)
    else if (tracer.settings.captureResponse && outcome.response !== undefined) {
      trace.handler.addMetadata(`${handlerPath()} response`, outcome.response)
    }
    await tracer.end(trace)
  }
  return {
    before: ({ context, event }) => {
      const first = coldStart
      coldStart = false
      if (!tracer.enabled) return
      const trace = tracer.begin(context.functionName || SERVICE_NAME, `## ${handlerPath()}`, () =>
        sampledUpstream(event),
      )
      if (trace === undefined) return
      trace.handler.annotate('ColdStart', first).annotate('Service', SERVICE_NAME)
      traces.set(context, trace)
    },
    after: ({ context, response }) => end(context, { response }),
    onError: ({ context, error }) => end(context, { error }),
  }
}
