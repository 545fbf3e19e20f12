import { logger } from '../log.js'
import { type DaemonAddress, parseDaemonAddress, type SendDocuments, sendToDaemon } from './daemon.js'
import { nowSeconds, type SegmentDocument, Span } from './segment.js'
import { newSegmentId, newTraceId, parseXrayTraceHeader, type TraceContext } from './trace-context.js'

/**
 * - `lambda`: in Lambda with active tracing, a sampled invocation's spans are subsegments of the segment
 *   Lambda records for it, sent to Lambda's daemon; an invocation Lambda does not trace (an MSK event's)
 *   gets a segment of its own when its records carry a sampled trace.
 * - `local`: the opt-in for local runs and tests, LOCAL_XRAY_DAEMON_ADDRESS=host:port. Each invocation
 *   gets a segment of its own in a new trace, standing in for Lambda's, and everything goes to that
 *   address (a UDP listener, or the X-Ray daemon run locally).
 * - `off`: anywhere else, or wherever POWERTOOLS_TRACE_ENABLED is `false`. Nothing is recorded, and
 *   nothing costs more than a check.
 */
export type TracingMode = 'off' | 'lambda' | 'local'

export interface TracingSettings {
  readonly mode: TracingMode
  readonly daemon: DaemonAddress
  /** The handler's response as metadata; off with POWERTOOLS_TRACER_CAPTURE_RESPONSE=false. */
  readonly captureResponse: boolean
  /**
   * Errors' types and messages, on every span that fails; off with POWERTOOLS_TRACER_CAPTURE_ERROR=false,
   * which only flags the spans as errors.
   */
  readonly captureError: boolean
}

export const LOCAL_DAEMON_VARIABLE = 'LOCAL_XRAY_DAEMON_ADDRESS'
const LAMBDA_DEFAULT_DAEMON: DaemonAddress = { host: '127.0.0.1', port: 2000 }

/** Powertools Tracer's reading of its switches: only `false` (any case) turns one off. */
const isFalse = (value: string | undefined) => value?.trim().toLowerCase() === 'false'

/**
 * An invalid opt-in fails the start, like any other bad setting. Powertools Tracer's variables mean what
 * they mean there: POWERTOOLS_TRACE_ENABLED, POWERTOOLS_TRACER_CAPTURE_RESPONSE and _CAPTURE_ERROR.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  const { mode, daemon } = modeAndDaemon(env)
  return {
    mode: isFalse(env.POWERTOOLS_TRACE_ENABLED) ? 'off' : mode,
    daemon,
    captureResponse: !isFalse(env.POWERTOOLS_TRACER_CAPTURE_RESPONSE),
    captureError: !isFalse(env.POWERTOOLS_TRACER_CAPTURE_ERROR),
  }
}

function modeAndDaemon(env: NodeJS.ProcessEnv): Pick<TracingSettings, 'mode' | 'daemon'> {
  if (env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda_')) {
    let daemon = LAMBDA_DEFAULT_DAEMON
    try {
      if (env.AWS_XRAY_DAEMON_ADDRESS) daemon = parseDaemonAddress(env.AWS_XRAY_DAEMON_ADDRESS)
    } catch {
      // Lambda sets it; should it ever be unreadable, the default address beats failing every start.
    }
    return { mode: 'lambda', daemon }
  }
  const local = env[LOCAL_DAEMON_VARIABLE]
  if (local) return { mode: 'local', daemon: parseDaemonAddress(local) }
  return { mode: 'off', daemon: LAMBDA_DEFAULT_DAEMON }
}

interface LambdaGlobal {
  readonly awslambda?: { readonly InvokeStore?: { readonly getXRayTraceId?: () => string | undefined } }
}

/**
 * The invocation's trace header: from the runtime's per-invocation store when invocations may run
 * concurrently in one environment, else from `_X_AMZN_TRACE_ID` (as Powertools reads it).
 */
export function lambdaTraceHeader(): string | undefined {
  return (
    (globalThis as LambdaGlobal).awslambda?.InvokeStore?.getXRayTraceId?.() ?? process.env._X_AMZN_TRACE_ID
  )
}

/** What one invocation records: its handler subsegment and everything below it, sent when it ends. */
export class InvocationTrace {
  readonly handler: Span
  readonly #root: Span | undefined
  readonly #documents: SegmentDocument[] = []

  /** `parent`: the segment Lambda records for the invocation; none locally, where a stand-in is made. */
  constructor(
    functionName: string,
    handlerName: string,
    parent: TraceContext | undefined,
    { captureError }: Pick<TracingSettings, 'captureError'>,
  ) {
    const record = (document: SegmentDocument) => this.#documents.push(document)
    const options = { captureError }
    const startTime = nowSeconds()
    if (parent === undefined) {
      this.#root = new Span(
        { name: functionName, id: newSegmentId(), trace_id: newTraceId(), start_time: startTime },
        record,
        options,
      )
      this.handler = this.#root.child(handlerName, startTime)
    } else {
      this.#root = undefined
      this.handler = new Span(
        {
          name: handlerName,
          id: newSegmentId(),
          trace_id: parent.traceId,
          parent_id: parent.parentId,
          type: 'subsegment',
          start_time: startTime,
        },
        record,
        options,
      )
    }
  }

  /** Closes the handler subsegment (and the stand-in segment) and hands over every document. */
  finish(): SegmentDocument[] {
    this.handler.close()
    this.#root?.close()
    return this.#documents.splice(0)
  }
}

export class Tracer {
  readonly settings: TracingSettings
  readonly #send: SendDocuments
  readonly #traceHeader: () => string | undefined

  constructor(
    settings: TracingSettings,
    send: SendDocuments = sendToDaemon,
    traceHeader: () => string | undefined = lambdaTraceHeader,
  ) {
    this.settings = settings
    this.#send = send
    this.#traceHeader = traceHeader
  }

  get enabled(): boolean {
    return this.settings.mode !== 'off'
  }

  /**
   * The invocation's trace, or undefined when it is not recorded (tracing off, or not sampled).
   * `sampledUpstream`: whether the event carries a trace its producer sampled, asked only when Lambda
   * gave the invocation no sampled segment. Lambda records no segment for an
   * invocation by an MSK event source mapping ("X-Ray tracing is currently not supported for Lambda
   * functions with Amazon MSK ... event source mappings": "Visualize Lambda function invocations using
   * AWS X-Ray"), so such an invocation gets a segment of its own instead, when its records were
   * sampled upstream: X-Ray's parent-based sampling, decided once by the producer.
   */
  begin(
    functionName: string,
    handlerName: string,
    sampledUpstream: () => boolean = () => false,
  ): InvocationTrace | undefined {
    const trace = (parent: TraceContext | undefined) =>
      new InvocationTrace(functionName, handlerName, parent, this.settings)
    if (this.settings.mode === 'local') return trace(undefined)
    if (this.settings.mode === 'off') return undefined
    const header = this.#traceHeader()
    const parent = header === undefined ? undefined : parseXrayTraceHeader(header)
    if (parent?.sampled) return trace(parent)
    return sampledUpstream() ? trace(undefined) : undefined
  }

  /** Sends what the invocation recorded; a failure to send is logged, never thrown. */
  async end(trace: InvocationTrace): Promise<void> {
    try {
      await this.#send(this.settings.daemon, trace.finish())
    } catch (error) {
      logger.warn('Trace segments not sent to the X-Ray daemon', { error })
    }
  }
}

export const tracer = new Tracer(tracingSettings())
