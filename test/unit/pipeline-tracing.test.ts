import { describe, expect, it } from 'vitest'
import { InvalidEventError, KafkaDeliveryError } from '../../lib/errors.js'
import type { MessageSink, OutgoingMessage } from '../../lib/kafka/sink.js'
import type { MskEvent, MskRecord } from '../../lib/msk/event.js'
import { batchResponse } from '../../lib/processor/batch-response.js'
import { processMskEvent } from '../../lib/processor/process-event.js'
import { produceStockBatches } from '../../lib/producer/produce-batches.js'
import { traceProcessing } from '../../lib/tracing/partition-batches.js'
import { traceProducerBatches } from '../../lib/tracing/producer-batches.js'
import { type SegmentDocument, Span } from '../../lib/tracing/segment.js'
import { parseTraceparent, parseXrayTraceHeader } from '../../lib/tracing/trace-context.js'
import { fixture } from '../support/fixtures.js'
import { format } from '../support/format.js'
import { MemorySink } from '../support/memory-sink.js'

/** An invocation's handler span whose closed documents land in `documents`. */
function invocation(traceId = '1-6744c2a0-0123456789abcdef01234567') {
  const documents: SegmentDocument[] = []
  const span = new Span(
    { name: '## handler', id: 'aaaaaaaaaaaaaaaa', trace_id: traceId, type: 'subsegment', start_time: 1 },
    (document) => documents.push(document),
  )
  return { span, documents }
}

const header = (message: OutgoingMessage | undefined, key: string) =>
  message?.headers?.find((h) => h.key === key)?.value.toString()

const producerDeps = (sink: MessageSink) => ({
  sink,
  sourceTopic: 'stocks-in',
  batchesPerInvocation: 2,
  batchIntervalMs: 0,
  sendBudgetMs: 1_000,
  remainingTimeMs: () => 60_000,
  wait: async () => undefined,
})

/** Java bytes, as Lambda's MSK event carries header values. */
const javaBytes = (text: string) => [...Buffer.from(text)].map((b) => (b > 127 ? b - 256 : b))

/** The fixture's records, as if the traced producer had sent them: each carrying `context` headers. */
function tracedEvent(event: MskEvent, xrayHeaderFor: (record: MskRecord) => string | undefined): MskEvent {
  const records = Object.fromEntries(
    Object.entries(event.records).map(([id, list]) => [
      id,
      list.map((record) => {
        const xray = xrayHeaderFor(record)
        return xray === undefined ? record : { ...record, headers: [{ 'X-Amzn-Trace-Id': javaBytes(xray) }] }
      }),
    ]),
  )
  return { ...event, records }
}

const UPSTREAM_TRACE = '1-6744c29f-aaaaaaaaaaaaaaaaaaaaaaaa'
const upstreamHeader = (parent: string, sampled = 1) =>
  `Root=${UPSTREAM_TRACE};Parent=${parent};Sampled=${sampled}`

describe('producer: the trace context travels on each record', () => {
  it("each batch is a subsegment, and its records carry it as parent in both headers' forms", async () => {
    const sink = new MemorySink()
    const { span, documents } = invocation()
    await produceStockBatches({ ...producerDeps(sink), traceBatch: traceProducerBatches(span) })

    expect(documents.map((d) => [d.name, d.parent_id, d.annotations])).toEqual([
      ['send stocks-in', 'aaaaaaaaaaaaaaaa', { topic: 'stocks-in', batch: 1, records: 17 }],
      ['send stocks-in', 'aaaaaaaaaaaaaaaa', { topic: 'stocks-in', batch: 2, records: 17 }],
    ])
    for (const [i, batch] of sink.sent.entries()) {
      const messages = batch[0]?.messages ?? []
      expect(messages).toHaveLength(17)
      const expected = { traceId: span.document.trace_id, parentId: documents[i]?.id, sampled: true }
      for (const message of messages) {
        expect(parseXrayTraceHeader(header(message, 'X-Amzn-Trace-Id') ?? '')).toEqual(expected)
        expect(parseTraceparent(header(message, 'traceparent') ?? '')).toEqual(expected)
      }
      // One headers array for the batch: no per-record work.
      expect(new Set(messages.map((m) => m.headers)).size).toBe(1)
    }
  })

  it('untraced, records carry no headers at all', async () => {
    const sink = new MemorySink()
    await produceStockBatches({ ...producerDeps(sink), traceBatch: traceProducerBatches(undefined) })
    expect(sink.messagesFor('stocks-in').every((m) => m.headers === undefined)).toBe(true)
  })

  it('a failed send marks its batch subsegment failed', async () => {
    const sink = new MemorySink()
    sink.failNext = new KafkaDeliveryError('not acknowledged')
    const { span, documents } = invocation()
    await expect(
      produceStockBatches({ ...producerDeps(sink), traceBatch: traceProducerBatches(span) }),
    ).rejects.toThrow(/not acknowledged/)
    expect(documents[0]).toMatchObject({
      fault: true,
      cause: { exceptions: [{ message: 'not acknowledged' }] },
    })
  })
})

describe('processor: a subsegment per partition batch, and the upstream traces continued', () => {
  const options = (sink: MessageSink) => ({ sink, deadLetterTopic: 'stocks-dlq', name: 'processor' })
  /** As the handler runs it: the processing, which fails the invocation as its answer to Lambda would. */
  const run = async (event: MskEvent, deps: { sink: MessageSink; reportBatchItemFailures?: boolean }) => {
    const result = await processMskEvent(event, {
      sink: deps.sink,
      sinkTopic: 'stocks-out',
      deadLetterTopic: 'stocks-dlq',
      format,
    })
    batchResponse(result, deps.reportBatchItemFailures ?? false)
    return result
  }

  it('annotates each partition batch, links its upstream traces, and continues each of them', async () => {
    const sink = new MemorySink()
    const { span, documents } = invocation()
    // Partition 0 (offsets 200-204) from two producer batches, partition 1 (300-302) from one.
    const event = tracedEvent(fixture('msk-with-bad-records.json'), (record) =>
      upstreamHeader(
        record.partition === 1
          ? '3333333333333333'
          : record.offset < 202
            ? '1111111111111111'
            : '2222222222222222',
      ),
    )
    const summary = await traceProcessing(span, event, options(sink), (traced) =>
      run(event, { sink: traced }),
    )
    expect(summary).toMatchObject({ records: 7, deadLettered: 5 })

    const own = documents.filter((d) => d.trace_id === span.document.trace_id)
    expect(own.map((d) => [d.name, d.parent_id, d.annotations])).toEqual([
      [
        'stocks-in-0',
        'aaaaaaaaaaaaaaaa',
        {
          topic: 'stocks-in',
          partition: 0,
          batchSize: 4,
          acknowledged: true,
          firstOffset: 200,
          lastOffset: 203,
          deadLettered: 2,
          deadLetterReasons: 'INVALID_JSON,INVALID_TICKER',
          upstreamTraces: 2,
          upstreamTraceIds: UPSTREAM_TRACE,
        },
      ],
      [
        'stocks-in-1',
        'aaaaaaaaaaaaaaaa',
        expect.objectContaining({
          partition: 1,
          deadLettered: 3,
          deadLetterReasons: 'INVALID_EVENT_TIME,INVALID_PRICE,TOMBSTONE',
        }),
      ],
    ])
    expect(own[0]?.metadata?.['msk-lambda-stocks']?.links).toEqual([
      { trace_id: UPSTREAM_TRACE, id: '1111111111111111', records: 2, firstOffset: 200, lastOffset: 201 },
      { trace_id: UPSTREAM_TRACE, id: '2222222222222222', records: 2, firstOffset: 202, lastOffset: 203 },
    ])

    const continued = documents.filter((d) => d.trace_id === UPSTREAM_TRACE)
    expect(
      continued.map((d) => [d.name, d.parent_id, d.type, d.annotations?.firstOffset, d.annotations?.records]),
    ).toEqual([
      ['processor', '1111111111111111', undefined, 200, 2],
      ['processor', '2222222222222222', undefined, 202, 2],
      ['processor', '3333333333333333', undefined, 300, 3],
    ])
    for (const segment of continued) {
      expect(segment.annotations?.processorTraceId).toBe(span.document.trace_id)
      expect(segment.end_time).toBeGreaterThanOrEqual(segment.start_time)
    }
    expect(continued[0]?.metadata?.['msk-lambda-stocks']?.processedIn).toEqual({
      trace_id: span.document.trace_id,
      id: own[0]?.id,
    })
    // The sink records carry the producer's context on.
    expect(header(sink.messagesFor('stocks-out')[0], 'X-Amzn-Trace-Id')).toBe(
      upstreamHeader('1111111111111111'),
    )
  })

  it('continues no trace the producer did not sample, and links none', async () => {
    const { span, documents } = invocation()
    const event = tracedEvent(fixture('msk.json'), () => upstreamHeader('1111111111111111', 0))
    const sink = new MemorySink()
    await traceProcessing(span, event, options(sink), (traced) => run(event, { sink: traced }))
    expect(documents.every((d) => d.trace_id === span.document.trace_id)).toBe(true)
    expect(documents.map((d) => d.annotations?.upstreamTraces)).toEqual([0, 0])
  })

  it('marks every partition batch failed when the sink fails, and only the failed ones with partial responses', async () => {
    const failing = new MemorySink()
    failing.failNext = new KafkaDeliveryError('brokers down')
    const all = invocation()
    const event = fixture('msk.json')
    await expect(
      traceProcessing(all.span, event, options(failing), (traced) => run(event, { sink: traced })),
    ).rejects.toThrow('brokers down')
    expect(all.documents.map((d) => [d.name, d.fault, d.annotations?.acknowledged])).toEqual([
      ['stocks-in-0', true, false],
      ['stocks-in-1', true, false],
    ])

    const partial = new MemorySink()
    partial.failWhen = (batches) =>
      batches.some((b) => b.messages.some((m) => header(m, 'source.partition') === '1'))
        ? new KafkaDeliveryError('partition 1 refused')
        : undefined
    const some = invocation()
    await traceProcessing(some.span, event, options(partial), (traced) =>
      run(event, { sink: traced, reportBatchItemFailures: true }),
    )
    expect(some.documents.map((d) => [d.name, d.fault, d.annotations?.acknowledged])).toEqual([
      ['stocks-in-0', undefined, true],
      ['stocks-in-1', true, false],
    ])
  })

  it('records no batches for an event that is not from MSK', async () => {
    const { span, documents } = invocation()
    const sink = new MemorySink()
    const notMsk = { records: 'nope' } as unknown as MskEvent
    await expect(
      traceProcessing(span, notMsk, options(sink), (traced) => run(notMsk, { sink: traced })),
    ).rejects.toBeInstanceOf(InvalidEventError)
    expect(documents).toEqual([])
  })

  it('untraced, hands the processing the sink itself', async () => {
    const sink = new MemorySink()
    let given: MessageSink | undefined
    await traceProcessing(undefined, fixture('msk.json'), options(sink), async (traced) => {
      given = traced
      return { records: 0, written: 0, deadLettered: 0, notAcknowledged: 0, deliveries: [], partitions: [] }
    })
    expect(given).toBe(sink)
  })
})
