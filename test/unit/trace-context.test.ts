import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatTraceparent,
  formatXrayTraceHeader,
  newSegmentId,
  newTraceId,
  parseTraceparent,
  parseXrayTraceHeader,
} from '../../lib/tracing/trace-context.js'

// The example of X-Ray's PutTraceSegments reference: the same trace in both forms.
const XRAY = 'Root=1-4efaaf4d-1e8720b39541901950019ee5;Parent=53995c3f42cd8ad8;Sampled=1'
const TRACEPARENT = '00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01'
const CONTEXT = {
  traceId: '1-4efaaf4d-1e8720b39541901950019ee5',
  parentId: '53995c3f42cd8ad8',
  sampled: true,
}

describe('trace context: X-Ray header <-> W3C traceparent', () => {
  it('reads and writes the same trace in both forms', () => {
    expect(parseXrayTraceHeader(XRAY)).toEqual(CONTEXT)
    expect(parseTraceparent(TRACEPARENT)).toEqual(CONTEXT)
    expect(formatXrayTraceHeader(CONTEXT)).toBe(XRAY)
    expect(formatTraceparent(CONTEXT)).toBe(TRACEPARENT)
  })

  it('maps the sampled flag both ways', () => {
    const unsampled = { ...CONTEXT, sampled: false }
    expect(formatTraceparent(unsampled)).toMatch(/-00$/)
    expect(formatXrayTraceHeader(unsampled)).toMatch(/;Sampled=0$/)
    expect(parseTraceparent(TRACEPARENT.replace(/01$/, '00'))?.sampled).toBe(false)
    // Only bit 0 of the flags says sampled.
    expect(parseTraceparent(TRACEPARENT.replace(/01$/, '03'))?.sampled).toBe(true)
    expect(parseXrayTraceHeader(XRAY.replace('Sampled=1', 'Sampled=?'))?.sampled).toBe(false)
  })

  it("reads Lambda's header, with its Lineage field and spacing, in any field order", () => {
    expect(
      parseXrayTraceHeader(
        'Sampled=1; Parent=53995c3f42cd8ad8;Root=1-4efaaf4d-1e8720b39541901950019ee5;Lineage=a87bd80c:1',
      ),
    ).toEqual(CONTEXT)
  })

  it('refuses what is not a usable context', () => {
    for (const header of [
      '',
      'Root=1-4efaaf4d-1e8720b39541901950019ee5;Sampled=1', // Lambda PassThrough: no parent
      'Root=2-4efaaf4d-1e8720b39541901950019ee5;Parent=53995c3f42cd8ad8',
      'Root=1-4efaaf4d-1e8720b39541901950019ee;Parent=53995c3f42cd8ad8',
      'Root=1-4efaaf4d-1e8720b39541901950019ee5;Parent=0000000000000000',
      'Root=1-4EFAAF4D-1E8720B39541901950019EE5;Parent=53995c3f42cd8ad8',
    ]) {
      expect(parseXrayTraceHeader(header), header).toBeUndefined()
    }
    for (const value of [
      'ff-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01',
      '00-00000000000000000000000000000000-53995c3f42cd8ad8-01',
      '00-4efaaf4d1e8720b39541901950019ee5-0000000000000000-01',
      '00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01-extra',
      '00-4EFAAF4D1E8720B39541901950019EE5-53995c3f42cd8ad8-01',
      'not a traceparent',
    ]) {
      expect(parseTraceparent(value), value).toBeUndefined()
    }
    // A later version may add fields: its first four are read.
    expect(parseTraceparent('01-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01-future')).toEqual(
      CONTEXT,
    )
  })

  it('round-trips every context through both forms', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{8}$/),
        fc.stringMatching(/^[0-9a-f]{23}[1-9a-f]$/),
        fc.stringMatching(/^[0-9a-f]{15}[1-9a-f]$/),
        fc.boolean(),
        (time, random, parentId, sampled) => {
          const context = { traceId: `1-${time}-${random}`, parentId, sampled }
          expect(parseTraceparent(formatTraceparent(context))).toEqual(context)
          expect(parseXrayTraceHeader(formatXrayTraceHeader(context))).toEqual(context)
        },
      ),
    )
  })

  it('makes ids in the forms X-Ray takes, the trace id starting with the time in seconds', () => {
    const traceId = newTraceId(Date.parse('2026-11-25T10:00:00Z'))
    expect(traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/)
    expect(Number.parseInt(traceId.slice(2, 10), 16)).toBe(Date.parse('2026-11-25T10:00:00Z') / 1000)
    expect(newSegmentId()).toMatch(/^[0-9a-f]{16}$/)
    expect(newSegmentId()).not.toBe(newSegmentId())
  })
})
