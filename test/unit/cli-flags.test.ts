import { describe, expect, it } from 'vitest'
import {
  choice,
  nonEmpty,
  params,
  parseFlags,
  seconds,
  time,
  timeWindow,
  UsageError,
  url,
  wholeNumber,
} from '../../scripts/cli/flags.js'

const NOW = new Date('2026-03-10T12:00:00Z')
const OPTIONS = {
  every: { type: 'string' },
  partition: { type: 'string', multiple: true, default: [] as string[] },
  json: { type: 'boolean', default: false },
} as const

describe('parseFlags', () => {
  it('reads the flags it knows', () => {
    expect(parseFlags(['--every', '5', '--partition', '0', '--partition', '1', '--json'], OPTIONS)).toEqual({
      values: { every: '5', partition: ['0', '1'], json: true },
      help: false,
    })
  })

  it('answers --help', () => {
    expect(parseFlags(['--help'], OPTIONS).help).toBe(true)
  })

  it.each([
    [['--evry', '5'], "Unknown option '--evry'"],
    [['extra'], /Unexpected argument 'extra'/],
    [['--every'], "Option '--every <value>' argument missing"],
    [['--json=yes'], /does not take an argument/],
    [['--every', '5', '--every', '6'], '--every is given more than once'],
  ])('refuses %j with a UsageError saying what is wrong', (args, message) => {
    expect(() => parseFlags(args, OPTIONS)).toThrow(UsageError)
    expect(() => parseFlags(args, OPTIONS)).toThrow(message)
  })

  it('takes a negative number as the value it is, for the flag to refuse by its range', () => {
    expect(parseFlags(['--partition', '-1'], OPTIONS).values.partition).toEqual(['-1'])
    expect(() => wholeNumber('partition', '-1', 0)).toThrow(
      '--partition "-1" is not a whole number 0 or more',
    )
  })
})

describe('flag values', () => {
  it('seconds: a number within its range, fractions allowed', () => {
    expect(seconds('every', '2.5', 1, 60)).toBe(2.5)
    for (const bad of ['0', '61', 'abc', '', '1e3', '-5', 'Infinity', ' ']) {
      expect(() => seconds('every', bad, 1, 60)).toThrow(
        `--every "${bad}" is not a number of seconds from 1 to 60`,
      )
    }
  })

  it('wholeNumber: digits only, within its range', () => {
    expect(wholeNumber('limit', '10', 1)).toBe(10)
    expect(wholeNumber('partition', '0', 0, 3)).toBe(0)
    for (const bad of ['1.5', 'abc', '0x10', '', '1e2']) {
      expect(() => wholeNumber('limit', bad, 1)).toThrow(`--limit "${bad}" is not a whole number 1 or more`)
    }
    expect(() => wholeNumber('partition', '4', 0, 3)).toThrow(
      '--partition "4" is not a whole number from 0 to 3',
    )
  })

  it('choice: one of the known values, listed when it is not', () => {
    expect(choice('topic', 'sink', ['sink', 'gave-up'])).toBe('sink')
    expect(() => choice('topic', 'Sink', ['sink', 'gave-up'])).toThrow(
      '--topic "Sink" is not one of sink, gave-up',
    )
  })

  it('time: an ISO 8601 time or an age before now', () => {
    expect(time('since', '2026-03-01T12:00:00Z', NOW).toISOString()).toBe('2026-03-01T12:00:00.000Z')
    expect(time('since', '2026-03-01T13:00:00+01:00', NOW).toISOString()).toBe('2026-03-01T12:00:00.000Z')
    expect(time('since', '2026-03-01', NOW).toISOString()).toBe('2026-03-01T00:00:00.000Z')
    expect(time('since', '30m', NOW).toISOString()).toBe('2026-03-10T11:30:00.000Z')
    expect(time('since', '7d', NOW).toISOString()).toBe('2026-03-03T12:00:00.000Z')
  })

  it.each([
    'yesterday',
    '5',
    '2026',
    '2026-02-30',
    '2026-13-01',
    '2026-03-01T24:00:00Z',
    '2026-03-01T12:60:00Z',
    '30x',
    '-2h',
    '',
  ])('time: refuses %j (JavaScript would read some of these as another day)', (text) => {
    expect(() => time('since', text, NOW)).toThrow(`--since "${text}" is not a time`)
  })

  it('timeWindow: --since must come before --until', () => {
    expect(timeWindow('2h', '1h', NOW)).toEqual({
      since: new Date('2026-03-10T10:00:00Z'),
      until: new Date('2026-03-10T11:00:00Z'),
    })
    expect(timeWindow(undefined, undefined, NOW)).toEqual({})
    expect(() => timeWindow('1h', '2h', NOW)).toThrow(
      /--since 1h \(2026-03-10T11:00:00.000Z\) is not before --until 2h/,
    )
    expect(() => timeWindow('2026-03-01', '2026-03-01', NOW)).toThrow(UsageError)
  })

  it('params: name=value each', () => {
    expect(params(['validation=flink', 'clusterArn=arn:aws:kafka:x=y'])).toEqual([
      'validation=flink',
      'clusterArn=arn:aws:kafka:x=y',
    ])
    for (const bad of ['validation', '=flink', '1x=2']) {
      expect(() => params([bad])).toThrow(`--param "${bad}" is not name=value`)
    }
  })

  it('url: http(s) only', () => {
    expect(url('queue-url', 'http://127.0.0.1:9324/000000000000/q')).toBe(
      'http://127.0.0.1:9324/000000000000/q',
    )
    for (const bad of ['queue', 'ftp://x/q', '']) {
      expect(() => url('queue-url', bad)).toThrow(`--queue-url "${bad}" is not an http(s) URL`)
    }
  })

  it('nonEmpty', () => {
    expect(() => nonEmpty('stage', ' ')).toThrow('--stage must not be empty')
    expect(nonEmpty('stage', 'local')).toBe('local')
  })
})
