import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { describe, expect, it } from 'vitest'
import type { OutgoingHeader } from '../../lib/kafka/sink.js'
import { TRACE_HEADERS, traceHeaderCarrier } from '../../lib/kafka/trace-headers.js'
import type { MskEvent, MskRecord } from '../../lib/msk/event.js'
import { processMskEvent } from '../../lib/processor/process-event.js'
import { carriedTraceHeaders } from '../../lib/processor/trace-headers.js'
import { SOURCE_HEADERS, transformRecord } from '../../lib/processor/transform.js'
import { format, transformOptions } from '../support/format.js'
import { MemorySink } from '../support/memory-sink.js'

const TRACEPARENT = '00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01'
const OTHER = '00-4efaaf4d1e8720b39541901950019ee5-2222222222222222-01'

/** Header bytes as Lambda's MSK event carries them: Java bytes, -128..127. */
const javaBytes = (text: string) => [...Buffer.from(text)].map((b) => (b > 127 ? b - 256 : b))
const VALUE = Buffer.from('{"event_time": "2026-11-25 10:00:00.000001", "ticker": "AAPL", "price": 1.5}')

function record(offset: number, headers?: Record<string, string>[], partition = 1): MskRecord {
  return {
    topic: 'stocks-in',
    partition,
    offset,
    timestamp: 1_795_000_000_000,
    timestampType: 'CREATE_TIME',
    key: Buffer.from('{"ticker":"AAPL"}').toString('base64'),
    value: VALUE.toString('base64'),
    ...(headers === undefined
      ? {}
      : {
          headers: headers.map((header) =>
            Object.fromEntries(Object.entries(header).map(([key, value]) => [key, javaBytes(value)])),
          ),
        }),
  }
}

const asText = (headers: readonly OutgoingHeader[] | undefined) =>
  (headers ?? []).map(({ key, value }) => [key, value.toString()])

describe('the trace header carrier', () => {
  const propagator = new W3CTraceContextPropagator()

  it("names the W3C propagator's own fields", () => {
    expect([...TRACE_HEADERS].sort()).toEqual([...propagator.fields()].sort())
  })

  it("carries the propagator's context into record headers and back, tracestate too", () => {
    const context = {
      traceId: '4efaaf4d1e8720b39541901950019ee5',
      spanId: '53995c3f42cd8ad8',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: false,
    }
    const upstream = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: TRACEPARENT, tracestate: 'v=1' },
      {
        get: (carrier: Record<string, string>, key) => carrier[key],
        keys: (carrier) => Object.keys(carrier),
      },
    )
    const traceState = trace.getSpanContext(upstream)?.traceState
    const headers: OutgoingHeader[] = []
    propagator.inject(
      trace.setSpanContext(ROOT_CONTEXT, { ...context, traceState }),
      headers,
      traceHeaderCarrier,
    )
    expect(asText(headers)).toEqual([
      ['traceparent', TRACEPARENT],
      ['tracestate', 'v=1'],
    ])
    // As the processor reads them back: Buffers of the bytes Lambda delivered.
    const asRead = headers.map(({ key, value }) => ({ key, value: Buffer.from(value) }))
    expect(traceHeaderCarrier.keys(asRead)).toEqual(['traceparent', 'tracestate'])
    const read = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, asRead, traceHeaderCarrier))
    expect(read).toMatchObject({ ...context, isRemote: true })
    expect(read?.traceState?.get('v')).toBe('1')
  })

  it('reads no context from headers that carry none, or a malformed one', () => {
    const none = propagator.extract(ROOT_CONTEXT, [{ key: 'other', value: 'x' }], traceHeaderCarrier)
    expect(trace.getSpanContext(none)).toBeUndefined()
    const garbled = propagator.extract(
      ROOT_CONTEXT,
      [{ key: 'traceparent', value: `${TRACEPARENT.slice(0, -2)}é` }],
      traceHeaderCarrier,
    )
    expect(trace.getSpanContext(garbled)).toBeUndefined()
  })
})

describe('trace headers carried on by the processor', () => {
  it('copies the source record trace headers onto its sink record, next to source.topic/partition/offset', () => {
    const outcome = transformRecord(
      record(42, [
        { traceparent: TRACEPARENT },
        { tracestate: 'vendor=1' },
        { 'X-Amzn-Trace-Id': 'Root=1-4efaaf4d-1e8720b39541901950019ee5;Parent=53995c3f42cd8ad8;Sampled=1' },
        { other: 'kept out' },
      ]),
      transformOptions(),
    )
    expect(outcome.kind).toBe('sink')
    if (outcome.kind !== 'sink') return
    expect(asText(outcome.messages[0]?.headers)).toEqual([
      [SOURCE_HEADERS.topic, 'stocks-in'],
      [SOURCE_HEADERS.partition, '1'],
      [SOURCE_HEADERS.offset, '42'],
      ['traceparent', TRACEPARENT],
      ['tracestate', 'vendor=1'],
    ])
  })

  it('sink records of one producer batch share its trace headers instead of a copy each', () => {
    const [a, b, c] = [1, 2, 3].map((offset) =>
      transformRecord(
        record(offset, [{ traceparent: offset < 3 ? TRACEPARENT : OTHER }]),
        transformOptions(),
      ),
    )
    const traceOf = (outcome: typeof a) =>
      outcome?.kind === 'sink'
        ? outcome.messages[0]?.headers?.find((h) => h.key === 'traceparent')
        : undefined
    expect(traceOf(a)).toBe(traceOf(b))
    expect(traceOf(c)).not.toBe(traceOf(b))
    expect(traceOf(c)?.value.toString()).toBe(OTHER)
  })

  it("source headers name each record's own topic and partition when topics and partitions interleave", () => {
    const sources = [
      ['stocks-in', 1],
      ['other-in', 1],
      ['stocks-in', 0],
      ['stocks-in', 1],
      ['other-in', 0],
    ] as const
    const named = sources.map(([topic, partition], offset) => {
      const outcome = transformRecord({ ...record(offset, []), topic, partition }, transformOptions())
      const headers = outcome.kind === 'sink' ? asText(outcome.messages[0]?.headers) : []
      return headers.map(([, value]) => value).join('/')
    })
    expect(named).toEqual(['stocks-in/1/0', 'other-in/1/1', 'stocks-in/0/2', 'stocks-in/1/3', 'other-in/0/4'])
  })

  it('a record without headers gets the source headers alone, its headers looked at once', () => {
    let reads = 0
    const plain = record(7, [])
    const counted = Object.defineProperty({ ...plain }, 'headers', {
      get: () => {
        reads++
        return plain.headers
      },
    })
    const outcome = transformRecord(counted, transformOptions())
    expect(outcome.kind === 'sink' && asText(outcome.messages[0]?.headers)).toEqual([
      [SOURCE_HEADERS.topic, 'stocks-in'],
      [SOURCE_HEADERS.partition, '1'],
      [SOURCE_HEADERS.offset, '7'],
    ])
    expect(reads).toBe(1)

    expect(carriedTraceHeaders(record(8))).toEqual([])
    expect(carriedTraceHeaders(record(9, [{ other: 'x' }]))).toEqual([])
  })

  it('shares a copy only while the trace headers are the same, in number, order and bytes', () => {
    const first = carriedTraceHeaders(record(1, [{ traceparent: TRACEPARENT }, { other: 'a' }]))
    expect(carriedTraceHeaders(record(2, [{ other: 'b' }, { traceparent: TRACEPARENT }]))).toBe(first)
    const more = carriedTraceHeaders(record(3, [{ traceparent: TRACEPARENT }, { tracestate: 'v=1' }]))
    expect(asText(more)).toEqual([
      ['traceparent', TRACEPARENT],
      ['tracestate', 'v=1'],
    ])
    const fewer = carriedTraceHeaders(record(4, [{ traceparent: TRACEPARENT }]))
    expect(fewer).not.toBe(more)
    expect(asText(fewer)).toEqual([['traceparent', TRACEPARENT]])
    const swapped = carriedTraceHeaders(record(5, [{ tracestate: 'v=1' }, { traceparent: TRACEPARENT }]))
    expect(swapped).not.toBe(more)
    expect(asText(swapped)).toEqual([
      ['tracestate', 'v=1'],
      ['traceparent', TRACEPARENT],
    ])
    const lastByte = carriedTraceHeaders(record(7, [{ traceparent: `${TRACEPARENT.slice(0, -1)}0` }]))
    expect(asText(lastByte)).toEqual([['traceparent', `${TRACEPARENT.slice(0, -1)}0`]])
  })
})

describe('the upstream contexts processMskEvent returns', () => {
  const event = (records: MskRecord[]): MskEvent => {
    const byPartition: Record<string, MskRecord[]> = {}
    for (const one of records) {
      const id = `${one.topic}-${one.partition}`
      byPartition[id] = [...(byPartition[id] ?? []), one]
    }
    return { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:local', records: byPartition }
  }
  const options = { sink: new MemorySink(), sinkTopic: 'out', deadLetterTopic: 'dlq', format }

  it('are the distinct trace headers of each partition, in order of first appearance', async () => {
    const result = await processMskEvent(
      event([
        record(10, [{ traceparent: TRACEPARENT }]),
        record(11, [{ traceparent: TRACEPARENT }]),
        record(12),
        record(13, [{ traceparent: OTHER }]),
        // Seen before, after another: still one context.
        record(14, [{ traceparent: TRACEPARENT }]),
        record(15, [{ traceparent: TRACEPARENT }, { tracestate: 'v=1' }]),
        record(3, [{ traceparent: OTHER }], 0),
        // A record the processor dead-letters came from its producer batch too.
        {
          ...record(4, [{ traceparent: TRACEPARENT }], 0),
          value: Buffer.from('not json').toString('base64'),
        },
      ]),
      options,
    )
    const upstream = Object.fromEntries(result.partitions.map((p) => [p.id, p.upstream.map(asText)]))
    expect(upstream).toEqual({
      'stocks-in-1': [
        [['traceparent', TRACEPARENT]],
        [['traceparent', OTHER]],
        [
          ['traceparent', TRACEPARENT],
          ['tracestate', 'v=1'],
        ],
      ],
      'stocks-in-0': [[['traceparent', OTHER]], [['traceparent', TRACEPARENT]]],
    })
    expect(result.partitions.find((p) => p.id === 'stocks-in-0')?.deadLettered).toBe(1)
  })

  it('are none for records without trace headers, and stay on a partition that was not acknowledged', async () => {
    const plain = await processMskEvent(event([record(1), record(2, [{ other: 'x' }])]), options)
    expect(plain.partitions.map((p) => p.upstream)).toEqual([[]])
    const sink = new MemorySink()
    sink.failNext = new Error('broker down')
    const failed = await processMskEvent(event([record(1, [{ traceparent: TRACEPARENT }])]), {
      ...options,
      sink,
    })
    expect(failed.partitions[0]?.error?.message).toBe('broker down')
    expect(failed.partitions[0]?.upstream.map(asText)).toEqual([[['traceparent', TRACEPARENT]]])
  })
})
