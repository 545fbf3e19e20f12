import { describe, expect, it } from 'vitest'
import { parseIsoEventTime } from '../../lib/flink/iso-event-time.js'
import {
  formatSqlTimestamp,
  parseSqlTimestamp,
  type Resolver,
  throughTimestampData,
} from '../../lib/flink/sql-timestamp.js'

/** What Flink writes for an event_time string, or undefined where its parse fails the job. */
function flinkWrites(text: string, resolver: Resolver = 'smart'): string | undefined {
  const parsed = parseSqlTimestamp(text, resolver)
  return parsed === undefined ? undefined : formatSqlTimestamp(throughTimestampData(parsed))
}

describe('Flink SQL timestamps (SQL_TIMESTAMP_FORMAT, SMART resolver)', () => {
  it.each([
    ['2023-08-08 04:21:56.484843', '2023-08-08 04:21:56.484843'],
    ['2023-08-08 04:21:56.484810', '2023-08-08 04:21:56.48481'],
    ['2023-08-08 04:21:56.120000', '2023-08-08 04:21:56.12'],
    ['2023-08-08 04:21:56.000000', '2023-08-08 04:21:56'],
    ['2023-08-08 04:21:56', '2023-08-08 04:21:56'],
    ['2023-08-08 04:21:56.', '2023-08-08 04:21:56'],
    ['2023-08-08 04:21:56.1', '2023-08-08 04:21:56.1'],
    ['2023-08-08 04:21:56.123456789', '2023-08-08 04:21:56.123456789'],
    ['2023-08-08 04:21:56.000000001', '2023-08-08 04:21:56.000000001'],
  ])('keeps the fraction digits of %s, fewest first', (text, written) => {
    expect(flinkWrites(text)).toBe(written)
  })

  it.each([
    ['2023-02-29 00:00:00', '2023-02-28 00:00:00'],
    ['2023-02-30 12:00:00', '2023-02-28 12:00:00'],
    ['2024-02-30 12:00:00', '2024-02-29 12:00:00'],
    ['2023-04-31 12:00:00', '2023-04-30 12:00:00'],
    ['2023-08-08 24:00:00', '2023-08-09 00:00:00'],
    ['2023-12-31 24:00:00.000', '2024-01-01 00:00:00'],
    ['0000-01-01 00:00:00', '0000-01-01 00:00:00'],
    ['-0001-12-31 23:59:59', '-0001-12-31 23:59:59'],
    ['+10000-01-01 00:00:00', '+10000-01-01 00:00:00'],
  ])('resolves %s as Java SMART does', (text, written) => {
    expect(flinkWrites(text)).toBe(written)
  })

  it.each([
    '2026-11-24T01:02:03.123456',
    '2023-08-08 04:21:56Z',
    '2023-08-08 04:21:56+02:00',
    '2023-08-08',
    '2023-8-8 4:21:56',
    ' 2023-08-08 04:21:56',
    '2023-08-08 04:21:56 ',
    '2023-08-08  04:21:56',
    '2023-08-08 04:21:56.1234567890',
    '2023-13-01 00:00:00',
    '2023-00-10 00:00:00',
    '2023-08-00 00:00:00',
    '2023-08-32 00:00:00',
    '2023-08-08 24:00:01',
    '2023-08-08 24:00:00.5',
    '2023-08-08 25:00:00',
    '2023-08-08 23:60:00',
    '2023-08-08 23:59:60',
    '+2023-08-08 00:00:00',
    '12023-08-08 00:00:00',
    '-0000-01-01 00:00:00',
    '+1000000000-01-01 00:00:00',
    '２０２３-08-08 04:21:56',
    '',
  ])('refuses %j, which fails the Flink job', (text) => {
    expect(flinkWrites(text)).toBeUndefined()
  })

  it('STRICT refuses what SMART moves: impossible days and 24:00', () => {
    expect(flinkWrites('2023-02-30 12:00:00', 'strict')).toBeUndefined()
    expect(flinkWrites('2023-08-08 24:00:00', 'strict')).toBeUndefined()
    expect(flinkWrites('2024-02-29 12:00:00', 'strict')).toBe('2024-02-29 12:00:00')
  })

  it.each([
    // Java's own answers for TimestampData.fromLocalDateTime(t).toLocalDateTime(), which overflows.
    ['+999999999-12-31 23:59:59.999999999', '-4479004-04-02 19:08:16.767999999'],
    ['-999999999-01-01 00:00:00', '+4479004-09-30 04:51:43.232'],
    ['+6000000-01-01 00:00:00', '-5759222-12-12 00:00:00'],
    ['+5000000-06-15 12:34:56.789', '+5000000-06-15 12:34:56.789'],
  ])("wraps %s beyond TimestampData's range as Java's long and int arithmetic does", (text, written) => {
    expect(flinkWrites(text)).toBe(written)
  })
})

describe('parseIsoEventTime (the strict mode extension)', () => {
  it.each([
    ['2023-08-08T04:21:56.327', '2023-08-08 04:21:56.327'],
    ['2026-11-24T01:02:03.123456', '2026-11-24 01:02:03.123456'],
    ['2023-08-08T04:21:56.327Z', '2023-08-08 04:21:56.327'],
    ['2023-08-08T06:21:56.327+02:00', '2023-08-08 04:21:56.327'],
    ['2023-08-08T00:51:56-03:30', '2023-08-08 04:21:56'],
    ['2024-01-01T01:00:00+02:00', '2023-12-31 23:00:00'],
  ])('reads %s as %s', (text, sql) => {
    const time = parseIsoEventTime(text)
    expect(time && formatSqlTimestamp(time)).toBe(sql)
  })

  it.each([
    '2023-08-08 04:21:56',
    '2023-02-30T10:00:00',
    '2023-08-08T24:00:00',
    '2023-08-08T10:00:00+19:00',
    '2023-08-08T10:00:00+0200',
    '2023-08-08T10:00:00.1234567890',
  ])('refuses %j', (text) => {
    expect(parseIsoEventTime(text)).toBeUndefined()
  })
})
