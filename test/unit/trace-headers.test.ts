import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OutgoingHeader } from '../../lib/kafka/sink.js'
import type { MskRecord } from '../../lib/msk/event.js'
import { SOURCE_HEADERS, transformRecord } from '../../lib/processor/transform.js'
import { upstreamTraces } from '../../lib/tracing/partition-batches.js'
import {
  carriedTraceHeaders,
  decodeTraceHeader,
  rawTraceHeader,
  TRACE_HEADERS,
  traceHeaders,
} from '../../lib/tracing/record-headers.js'
import { transformOptions } from '../support/format.js'

const CONTEXT = {
  traceId: '1-4efaaf4d-1e8720b39541901950019ee5',
  parentId: '53995c3f42cd8ad8',
  sampled: true,
}
const XRAY = 'Root=1-4efaaf4d-1e8720b39541901950019ee5;Parent=53995c3f42cd8ad8;Sampled=1'
const TRACEPARENT = '00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01'

/** Header bytes as Lambda's MSK event carries them: Java bytes, -128..127. */
const javaBytes = (text: string) => [...Buffer.from(text)].map((b) => (b > 127 ? b - 256 : b))
const VALUE = Buffer.from('{"event_time": "2026-11-25 10:00:00.000001", "ticker": "AAPL", "price": 1.5}')

function record(offset: number, headers?: Record<string, string>[]): MskRecord {
  return {
    topic: 'stocks-in',
    partition: 1,
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

afterEach(() => {
  vi.restoreAllMocks()
})

describe('trace headers on Kafka records', () => {
  it('the producer puts both forms of its context on each record', () => {
    expect(asText(traceHeaders(CONTEXT))).toEqual([
      ['traceparent', TRACEPARENT],
      ['X-Amzn-Trace-Id', XRAY],
    ])
  })

  it('reads X-Ray header first, traceparent otherwise, from the bytes Lambda delivers', () => {
    const both = record(1, [
      { traceparent: TRACEPARENT.replace('53995c3f42cd8ad8', '1111111111111111') },
      { 'X-Amzn-Trace-Id': XRAY },
    ])
    const raw = rawTraceHeader(both)
    expect(raw?.key).toBe(TRACE_HEADERS.xray)
    expect(raw && decodeTraceHeader(raw)).toEqual(CONTEXT)

    const w3cOnly = rawTraceHeader(record(2, [{ other: 'x' }, { traceparent: TRACEPARENT }]))
    expect(w3cOnly && decodeTraceHeader(w3cOnly)).toEqual(CONTEXT)
    expect(rawTraceHeader(record(3, [{ other: 'x' }]))).toBeUndefined()
    expect(rawTraceHeader(record(4))).toBeUndefined()
    // A header that is not ASCII is not a trace context.
    const garbled = rawTraceHeader(record(5, [{ traceparent: `${TRACEPARENT.slice(0, -2)}é` }]))
    expect(garbled && decodeTraceHeader(garbled)).toBeUndefined()
  })

  it('copies the source record trace headers onto its sink record, next to source.topic/partition/offset', () => {
    const outcome = transformRecord(
      record(42, [
        { traceparent: TRACEPARENT },
        { tracestate: 'vendor=1' },
        { 'X-Amzn-Trace-Id': XRAY },
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
      ['X-Amzn-Trace-Id', XRAY],
    ])
  })

  it('sink records of one producer batch share its trace headers instead of a copy each', () => {
    const [a, b, c] = [1, 2, 3].map((offset) =>
      transformRecord(
        record(offset, [{ 'X-Amzn-Trace-Id': offset < 3 ? XRAY : XRAY.replace('=1', '=0') }]),
        transformOptions(),
      ),
    )
    const xrayOf = (outcome: typeof a) =>
      outcome?.kind === 'sink'
        ? outcome.messages[0]?.headers?.find((h) => h.key === 'X-Amzn-Trace-Id')
        : undefined
    expect(xrayOf(a)).toBe(xrayOf(b))
    expect(xrayOf(c)).not.toBe(xrayOf(b))
    expect(xrayOf(c)?.value.toString()).toBe(XRAY.replace('=1', '=0'))
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
    const texts = (headers: readonly OutgoingHeader[]) => headers.map((h) => [h.key, h.value.toString()])
    const first = carriedTraceHeaders(record(1, [{ 'X-Amzn-Trace-Id': XRAY }, { other: 'a' }]))
    expect(carriedTraceHeaders(record(2, [{ other: 'b' }, { 'X-Amzn-Trace-Id': XRAY }]))).toBe(first)
    const more = carriedTraceHeaders(record(3, [{ 'X-Amzn-Trace-Id': XRAY }, { tracestate: 'v=1' }]))
    expect(texts(more)).toEqual([
      ['X-Amzn-Trace-Id', XRAY],
      ['tracestate', 'v=1'],
    ])
    const fewer = carriedTraceHeaders(record(4, [{ 'X-Amzn-Trace-Id': XRAY }]))
    expect(fewer).not.toBe(more)
    expect(texts(fewer)).toEqual([['X-Amzn-Trace-Id', XRAY]])
    const swapped = carriedTraceHeaders(
      record(5, [{ traceparent: TRACEPARENT }, { 'X-Amzn-Trace-Id': XRAY }]),
    )
    const reordered = carriedTraceHeaders(
      record(6, [{ 'X-Amzn-Trace-Id': XRAY }, { traceparent: TRACEPARENT }]),
    )
    expect(reordered).not.toBe(swapped)
    expect(texts(reordered)).toEqual([
      ['X-Amzn-Trace-Id', XRAY],
      ['traceparent', TRACEPARENT],
    ])
    const lastByte = carriedTraceHeaders(
      record(7, [{ 'X-Amzn-Trace-Id': XRAY }, { traceparent: `${TRACEPARENT.slice(0, -1)}0` }]),
    )
    expect(texts(lastByte)[1]).toEqual(['traceparent', `${TRACEPARENT.slice(0, -1)}0`])
  })

  it('decodes a trace header once per run of records that carry the same bytes', () => {
    const other = XRAY.replace('53995c3f42cd8ad8', '2222222222222222')
    const records = [
      record(10, [{ 'X-Amzn-Trace-Id': XRAY }]),
      record(11, [{ 'X-Amzn-Trace-Id': XRAY }]),
      record(12),
      record(13, [{ 'X-Amzn-Trace-Id': XRAY }]),
      record(14, [{ 'X-Amzn-Trace-Id': other }]),
      record(15, [{ 'X-Amzn-Trace-Id': other }]),
      record(16, [{ 'X-Amzn-Trace-Id': XRAY.replace('Sampled=1', 'Sampled=0') }]),
    ]
    const decode = vi.spyOn(String, 'fromCharCode')
    const upstream = upstreamTraces(records)
    // 10 (11 and 13 match it), 14 (15 matches), 16: three decodings for six traced records.
    expect(decode).toHaveBeenCalledTimes(3)
    expect(upstream).toEqual([
      { context: CONTEXT, records: 3, firstOffset: 10, lastOffset: 13 },
      { context: { ...CONTEXT, parentId: '2222222222222222' }, records: 2, firstOffset: 14, lastOffset: 15 },
    ])
  })

  it('finds nothing, and decodes nothing, in records without headers', () => {
    const decode = vi.spyOn(String, 'fromCharCode')
    expect(upstreamTraces([record(1), record(2, []), record(3, [{ other: 'x' }])])).toEqual([])
    expect(decode).not.toHaveBeenCalled()
  })
})
