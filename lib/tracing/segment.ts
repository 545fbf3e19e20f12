import { SERVICE_NAME } from '../service.js'
import { newSegmentId, type TraceContext } from './trace-context.js'

export type AnnotationValue = string | number | boolean

/**
 * An X-Ray segment document (X-Ray guide, "Sending trace data to AWS X-Ray"): a segment, or with `type`
 * `subsegment` an independent subsegment, sent to the daemon on its own. Times are seconds since the
 * epoch, with milliseconds.
 */
export interface SegmentDocument {
  readonly name: string
  readonly id: string
  readonly trace_id: string
  readonly parent_id?: string
  readonly type?: 'subsegment'
  readonly start_time: number
  end_time?: number
  /** Indexed: X-Ray's filter expressions search them (`annotation.partition = 1`). */
  annotations?: Record<string, AnnotationValue>
  metadata?: Record<string, Record<string, unknown>>
  /** A failure recorded without its details (POWERTOOLS_TRACER_CAPTURE_ERROR=false). */
  error?: boolean
  fault?: boolean
  cause?: { exceptions: { id: string; type: string; message: string }[] }
}

/** Where a closed span's document goes: the invocation's buffer, sent to the daemon when it ends. */
export type SpanSink = (document: SegmentDocument) => void

export const nowSeconds = () => Date.now() / 1000

/** The namespace of the project's metadata: the service's name, as Powertools Tracer's. */
export const METADATA_NAMESPACE = SERVICE_NAME

export interface SpanOptions {
  /** Whether a failure records the error's type and message (TracingSettings.captureError); children inherit it. */
  readonly captureError: boolean
}

/** One segment or subsegment being recorded. Nothing is sent until it is closed. */
export class Span {
  readonly document: SegmentDocument
  readonly #sink: SpanSink
  readonly #options: SpanOptions

  constructor(document: SegmentDocument, sink: SpanSink, options: SpanOptions = { captureError: true }) {
    this.document = document
    this.#sink = sink
    this.#options = options
  }

  /** The context its children, and the records it sends, carry. */
  get context(): TraceContext {
    return { traceId: this.document.trace_id, parentId: this.document.id, sampled: true }
  }

  child(name: string, startTime: number = nowSeconds()): Span {
    return new Span(
      {
        name,
        id: newSegmentId(),
        trace_id: this.document.trace_id,
        parent_id: this.document.id,
        type: 'subsegment',
        start_time: startTime,
      },
      this.#sink,
      this.#options,
    )
  }

  /**
   * A segment in another trace, as a child of `upstream`: how work this invocation does for a record
   * continues the trace that produced it, recorded and sent with this invocation's own.
   */
  continueTrace(upstream: TraceContext, name: string, startTime: number = nowSeconds()): Span {
    return new Span(
      {
        name,
        id: newSegmentId(),
        trace_id: upstream.traceId,
        parent_id: upstream.parentId,
        start_time: startTime,
      },
      this.#sink,
      this.#options,
    )
  }

  annotate(key: string, value: AnnotationValue): this {
    this.document.annotations ??= {}
    this.document.annotations[key] = value
    return this
  }

  addMetadata(key: string, value: unknown): this {
    this.document.metadata ??= {}
    this.document.metadata[METADATA_NAMESPACE] ??= {}
    const namespace = this.document.metadata[METADATA_NAMESPACE]
    if (namespace !== undefined) namespace[key] = value
    return this
  }

  /**
   * Marks the span failed: a fault with the error's type and message, or, when errors are not captured,
   * only flagged as an error, as Powertools does.
   */
  fail(error: unknown): this {
    if (!this.#options.captureError) {
      this.document.error = true
      return this
    }
    this.document.fault = true
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) }
    this.document.cause ??= { exceptions: [] }
    this.document.cause.exceptions.push({ id: newSegmentId(), type: name, message })
    return this
  }

  get closed(): boolean {
    return this.document.end_time !== undefined
  }

  close(endTime: number = nowSeconds()): void {
    if (this.closed) return
    this.document.end_time = Math.max(endTime, this.document.start_time)
    this.#sink(this.document)
  }
}
