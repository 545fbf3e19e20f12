import { describe, expect, it } from 'vitest'
import { formatFlinkTimestamp, formatProducerEventTime, parseEventTime } from '../../lib/stocks/event-time.js'

const at = (iso: string) => Date.parse(iso)

describe('parseEventTime', () => {
  it.each([
    ['2023-08-08 04:21:56.327123', '2023-08-08T04:21:56.327Z'], // the original producer's %f
    ['2023-08-08 04:21:56.327999999', '2023-08-08T04:21:56.327Z'], // cut, not rounded
    ['2023-08-08 04:21:56.3', '2023-08-08T04:21:56.300Z'],
    ['2023-08-08 04:21:56', '2023-08-08T04:21:56.000Z'],
    ['2023-08-08T04:21:56.327', '2023-08-08T04:21:56.327Z'], // isoformat(timespec="milliseconds")
    ['2023-08-08T04:21:56.327Z', '2023-08-08T04:21:56.327Z'],
    ['2023-08-08T06:21:56.327+02:00', '2023-08-08T04:21:56.327Z'],
    ['2023-08-08T00:51:56.327-0330', '2023-08-08T04:21:56.327Z'],
    ['2024-02-29 23:59:59.999', '2024-02-29T23:59:59.999Z'],
  ])('reads %s', (text, expected) => {
    expect(parseEventTime(text)).toBe(at(expected))
  })

  it.each([
    '',
    'yesterday',
    '2023-08-08',
    '2023-8-8 04:21:56',
    '2023-02-30 10:00:00',
    '2023-13-01 10:00:00',
    '2023-08-08 24:00:00',
    '2023-08-08 10:60:00',
    '2023-08-08 10:00:60',
    '2023-08-08 10:00:00.',
    '2023-08-08 10:00:00.1234567890',
    '2023-08-08 10:00:00+25:00',
    ' 2023-08-08 10:00:00',
    '1691468516327',
  ])('rejects %j', (text) => {
    expect(parseEventTime(text)).toBeUndefined()
  })
})

describe('formats', () => {
  it('writes the Flink TIMESTAMP(3) form', () => {
    expect(formatFlinkTimestamp(at('2023-08-08T04:21:56.007Z'))).toBe('2023-08-08 04:21:56.007')
  })

  it('writes the original producer form, which reads back to the same instant', () => {
    const now = at('2026-11-24T01:02:03.456Z')
    expect(formatProducerEventTime(now)).toBe('2026-11-24 01:02:03.456000')
    expect(parseEventTime(formatProducerEventTime(now))).toBe(now)
  })
})
