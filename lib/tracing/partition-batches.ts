import { InvalidEventError } from '../errors.js'
import type { MessageSink } from '../kafka/sink.js'
import { logger } from '../log.js'
import type { MskEvent, MskRecord } from '../msk/event.js'
import type { ProcessResult } from '../processor/process-event.js'
import { DeadLetterReasons } from './dead-letter-reasons.js'
import { decodeTraceHeader, type RawTraceHeader, rawTraceHeader, sameBytes } from './record-headers.js'
import { nowSeconds, type Span } from './segment.js'
import type { TraceContext } from './trace-context.js'

/**
 * Upstream (sub)segments continued per partition batch, at most: X-Ray links a segment to at most 20
 * traces ("Tracing event-driven applications"), and a batch's records come from a few producer batches.
 */
export const MAX_CONTINUED = 20

/** The records of one partition batch that one upstream (sub)segment produced. */
export interface Upstream {
  readonly context: TraceContext
  records: number
  firstOffset: number
  lastOffset: number
}

/**
 * The sampled upstream contexts of a partition batch's records, in order of first appearance. The
 * records of one producer batch carry the same header bytes, so a header is decoded only when its bytes
 * differ from the previous record's; a record without headers costs one check.
 */
export function upstreamTraces(records: readonly MskRecord[]): Upstream[] {
  const found = new Map<string, Upstream>()
  let previousRaw: RawTraceHeader | undefined
  let previous: Upstream | undefined
  for (const record of records) {
    const raw = rawTraceHeader(record)
    if (raw === undefined) continue
    let upstream =
      previousRaw !== undefined && raw.key === previousRaw.key && sameBytes(raw.bytes, previousRaw.bytes)
        ? previous
        : undefined
    if (upstream === undefined) {
      const context = decodeTraceHeader(raw)
      if (context === undefined || !context.sampled) continue
      const key = `${context.traceId};${context.parentId}`
      upstream = found.get(key)
      if (upstream === undefined) {
        upstream = { context, records: 0, firstOffset: record.offset, lastOffset: record.offset }
        found.set(key, upstream)
      }
      previousRaw = raw
      previous = upstream
    }
    upstream.records++
    if (record.offset < upstream.firstOffset) upstream.firstOffset = record.offset
    if (record.offset > upstream.lastOffset) upstream.lastOffset = record.offset
  }
  return [...found.values()]
}

/**
 * Whether any record of the event carries a trace its producer sampled: the processor's sampling decision
 * where Lambda makes none (an MSK event). Usually the first record answers; a run of records with the
 * same header bytes is decoded once. Anything not shaped like an MSK event answers false, and the
 * handler's own check reports it.
 */
export function carriesSampledTrace(event: unknown): boolean {
  const records = (event as { records?: unknown } | null)?.records
  if (typeof records !== 'object' || records === null) return false
  let previous: RawTraceHeader | undefined
  try {
    for (const group of Object.values(records)) {
      if (!Array.isArray(group)) continue
      for (const record of group as MskRecord[]) {
        const raw = Array.isArray(record?.headers) ? rawTraceHeader(record) : undefined
        if (raw === undefined) continue
        if (previous !== undefined && raw.key === previous.key && sameBytes(raw.bytes, previous.bytes))
          continue
        previous = raw
        if (decodeTraceHeader(raw)?.sampled) return true
      }
    }
  } catch {
    // A header list that is not Lambda's shape: not a sampled trace.
  }
  return false
}

interface Outcome {
  readonly summary: ProcessResult | undefined
  readonly failure: unknown
  readonly reasons: DeadLetterReasons
  readonly startTime: number
  readonly name: string
}

/** What every span of one partition batch says, in its own trace or an upstream one. */
interface PartitionBatch {
  readonly id: string
  readonly records: readonly MskRecord[]
  readonly acknowledged: boolean
  /** Why it was not acknowledged. */
  readonly failure: unknown
}

function annotateBatch(target: Span, batch: PartitionBatch, first: MskRecord): Span {
  target
    .annotate('topic', first.topic)
    .annotate('partition', first.partition)
    .annotate('batchSize', batch.records.length)
    .annotate('acknowledged', batch.acknowledged)
  return batch.acknowledged ? target : target.fail(batch.failure)
}

/** The batch as a subsegment of the invocation: offsets, dead letters, and links to upstream traces. */
function recordBatch(span: Span, batch: PartitionBatch, upstream: Upstream[], outcome: Outcome): Span {
  const [first] = batch.records
  const last = batch.records[batch.records.length - 1]
  const child = span.child(batch.id, outcome.startTime)
  if (first === undefined || last === undefined) return child
  const reasons = outcome.reasons.of(batch.id)
  annotateBatch(child, batch, first)
    .annotate('firstOffset', first.offset)
    .annotate('lastOffset', last.offset)
    .annotate(
      'deadLettered',
      [...reasons.values()].reduce((sum, n) => sum + n, 0),
    )
    .annotate('upstreamTraces', upstream.length)
  if (reasons.size > 0) {
    child.annotate('deadLetterReasons', [...reasons.keys()].sort().join(','))
    child.addMetadata('deadLetterReasons', Object.fromEntries(reasons))
  }
  const linked = upstream.slice(0, MAX_CONTINUED)
  if (linked.length > 0) {
    child.annotate('upstreamTraceIds', [...new Set(linked.map((u) => u.context.traceId))].join(','))
    child.addMetadata(
      'links',
      linked.map(({ context, records, firstOffset, lastOffset }) => ({
        trace_id: context.traceId,
        id: context.parentId,
        records,
        firstOffset,
        lastOffset,
      })),
    )
  }
  child.close()
  return child
}

/** The batch as a segment in each upstream trace, under the producer span that sent its records. */
function continueUpstream(
  span: Span,
  batch: PartitionBatch,
  upstream: Upstream[],
  child: Span,
  outcome: Outcome,
) {
  const [first] = batch.records
  if (first === undefined) return
  for (const { context, records, firstOffset, lastOffset } of upstream.slice(0, MAX_CONTINUED)) {
    annotateBatch(span.continueTrace(context, outcome.name, outcome.startTime), batch, first)
      .annotate('firstOffset', firstOffset)
      .annotate('lastOffset', lastOffset)
      .annotate('records', records)
      .annotate('processorTraceId', span.document.trace_id)
      .addMetadata('processedIn', { trace_id: span.document.trace_id, id: child.document.id })
      .close(child.document.end_time)
  }
}

function recordPartitionBatch(span: Span, id: string, records: readonly MskRecord[], outcome: Outcome): void {
  if (records.length === 0) return
  const failed = outcome.summary?.partitions.some((part) => part.id === id && part.error !== undefined)
  const batch = {
    id,
    records,
    acknowledged: outcome.failure === undefined && !failed,
    failure: outcome.failure ?? new Error(`${id} not acknowledged; reported for retry`),
  }
  const upstream = upstreamTraces(records)
  const child = recordBatch(span, batch, upstream, outcome)
  continueUpstream(span, batch, upstream, child, outcome)
}

export interface TraceProcessingOptions {
  readonly sink: MessageSink
  readonly deadLetterTopic: string
  /** The name of the segments that continue upstream traces: the function's. */
  readonly name: string
}

/**
 * Runs one MSK event's processing and, when the invocation is traced, records each source partition
 * batch twice: as a subsegment of the invocation (annotated with topic, partition, offsets, size, dead
 * letters and the upstream trace ids), and as a segment in each sampled trace its records came from,
 * child of the producer's span that sent them (annotated with this trace's id). Lambda starts a new trace
 * for each invocation of an MSK event source mapping, so the link is kept both ways. Untraced, `process`
 * gets the sink as given and nothing else happens.
 */
export async function traceProcessing(
  span: Span | undefined,
  event: unknown,
  options: TraceProcessingOptions,
  process: (sink: MessageSink) => Promise<ProcessResult>,
): Promise<ProcessResult> {
  if (span === undefined) return process(options.sink)
  const reasons = new DeadLetterReasons(options.sink, options.deadLetterTopic)
  const startTime = nowSeconds()
  let summary: ProcessResult | undefined
  let failure: unknown
  try {
    summary = await process(reasons)
    return summary
  } catch (error) {
    failure = error
    throw error
  } finally {
    // Processing only starts on an event of the MSK shape: anything else has no batches to record.
    if (!(failure instanceof InvalidEventError)) {
      const outcome = { summary, failure, reasons, startTime, name: options.name }
      try {
        for (const [id, records] of Object.entries((event as MskEvent).records)) {
          recordPartitionBatch(span, id, records, outcome)
        }
      } catch (error) {
        logger.warn('Partition batches not traced', { error })
      }
    }
  }
}
