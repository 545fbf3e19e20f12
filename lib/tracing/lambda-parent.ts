import { type Context, defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray'

const xray = new AWSXRayPropagator()

interface LambdaGlobal {
  readonly awslambda?: { readonly InvokeStore?: { readonly getXRayTraceId?: () => string | undefined } }
}

/**
 * The invocation's X-Ray trace header (`Root=...;Parent=...;Sampled=...`): from the runtime's
 * per-invocation store when invocations may run concurrently in one environment, else from
 * `_X_AMZN_TRACE_ID`, which Lambda sets for each invocation.
 */
export function lambdaTraceHeader(): string | undefined {
  return (
    (globalThis as LambdaGlobal).awslambda?.InvokeStore?.getXRayTraceId?.() ?? process.env._X_AMZN_TRACE_ID
  )
}

/**
 * The segment Lambda records for the invocation, as the parent context of the function's spans, read by
 * OpenTelemetry's X-Ray propagator; the root context when there is none.
 */
export function lambdaParent(header: string | undefined = lambdaTraceHeader()): Context {
  if (header === undefined || header === '') return ROOT_CONTEXT
  return xray.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': header }, defaultTextMapGetter)
}

/** Whether the context's span was sampled. */
export function sampled(context: Context): boolean {
  return ((trace.getSpanContext(context)?.traceFlags ?? 0) & 1) === 1
}
