import { describe, expect, it } from 'vitest'
import { REJECTION_REASONS } from '../../lib/stocks/reasons.js'
import { UsageError } from '../../scripts/cli/flags.js'
import { parseStartFlags, startTracingEnvironment } from '../../scripts/local/start-flags.js'
import {
  checkPartitions,
  parseConsoleFlags,
  parseConsumeFlags,
  parseRedriveFlags,
  parseReplayFlags,
  parseStatusFlags,
} from '../../scripts/ops/flags.js'

const NOW = new Date('2026-03-10T12:00:00Z')

/** What a parse function throws for these flags. */
function refusal(parse: (args: string[]) => unknown, args: string[]): UsageError {
  try {
    parse(args)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return error as UsageError
  }
  throw new Error(`${JSON.stringify(args)} was accepted`)
}

describe('npm run status', () => {
  it('takes a stage, params and --json', () => {
    expect(parseStatusFlags(['--stage', 'prod', '--param', 'clusterArn=arn', '--json'])).toEqual({
      help: false,
      stage: 'prod',
      params: ['clusterArn=arn'],
      json: true,
    })
    expect(parseStatusFlags([])).toMatchObject({ stage: 'local', params: [], json: false })
  })

  it.each([
    [['--stage', ''], '--stage must not be empty'],
    [['--param', 'validation'], '--param "validation" is not name=value'],
    [['--since', '1h'], "Unknown option '--since'"],
    [['--json', '--json'], '--json is given more than once'],
  ])('refuses %j', (args, message) => {
    expect(refusal(parseStatusFlags, args).message).toContain(message)
  })

  it('gives its usage for --help', () => {
    expect(parseStatusFlags(['--help'])).toEqual({
      help: true,
      usage: expect.stringMatching(/^npm run status -- /),
    })
  })
})

describe('npm run replay', () => {
  const replay = (args: string[]) => parseReplayFlags(args, NOW)

  it('reads the filter: times, source partitions (each once), and the options', () => {
    expect(
      replay([
        '--since',
        '2h',
        '--until',
        '2026-03-10T11:30:00Z',
        '--partition',
        '1',
        '--partition',
        '0',
        '--partition',
        '1',
        '--dry-run',
      ]),
    ).toMatchObject({
      since: new Date('2026-03-10T10:00:00Z'),
      until: new Date('2026-03-10T11:30:00Z'),
      partitions: [1, 0],
      dryRun: true,
      queueUrl: undefined,
      group: undefined,
    })
  })

  it('names its position by the filter as given, so the same command goes on where it was', () => {
    const signature = (args: string[]) => {
      const parsed = replay(args)
      if (parsed.help) throw new Error('not a replay')
      return parsed.signature
    }
    const one = signature(['--partition', '1', '--partition', '0', '--since', '2h'])
    expect(signature(['--since', '2h', '--partition', '0', '--partition', '1'])).toEqual(one)
    expect(signature(['--partition', '0'])).not.toEqual(one)
  })

  it.each([
    [['--partition', 'abc'], '--partition "abc" is not a whole number 0 or more'],
    [['--partition', '-1'], '--partition "-1" is not a whole number 0 or more'],
    [['--partition', '1.5'], '--partition "1.5" is not a whole number 0 or more'],
    [['--since', '1h', '--until', '2h'], '--since 1h (2026-03-10T11:00:00.000Z) is not before --until 2h'],
    [['--since', 'yesterday'], '--since "yesterday" is not a time'],
    [['--until', '2026-02-30'], '--until "2026-02-30" is not a time'],
    [['--queue-url', 'queue'], '--queue-url "queue" is not an http(s) URL'],
    [
      ['--sqs-endpoint', 'http://127.0.0.1:9324'],
      '--sqs-endpoint is the endpoint of the queue --queue-url names',
    ],
    [
      ['--queue-url', 'http://127.0.0.1:9324/0/q', '--group', 'g'],
      '--group is the position on a gave-up topic',
    ],
    [['--group', ''], '--group must not be empty'],
    [['--limit', '5'], "Unknown option '--limit'"],
  ])('refuses %j', (args, message) => {
    expect(refusal(replay, args).message).toContain(message)
  })

  it('checks --partition against the partitions the topic has, once connected', () => {
    expect(() => checkPartitions([0, 1], 'stocks-in', [0, 1])).not.toThrow()
    expect(() => checkPartitions([], 'stocks-in', [])).not.toThrow()
    expect(() => checkPartitions([9, 1, 2], 'stocks-in', [1, 0])).toThrow(
      new UsageError('--partition 9, 2: stocks-in has partitions 0, 1'),
    )
    expect(() => checkPartitions([0], 'stocks-in', [])).toThrow('--partition 0: stocks-in has no partitions')
  })
})

describe('npm run redrive', () => {
  const redrive = (args: string[]) => parseRedriveFlags(args, NOW)

  it('takes every reason the processor writes (lib/stocks/codec.ts), and only those', () => {
    const all = REJECTION_REASONS.flatMap((reason) => ['--reason', reason])
    expect(redrive(all)).toMatchObject({ reasons: [...REJECTION_REASONS] })
    const refused = refusal(redrive, ['--reason', 'NOPE'])
    expect(refused.message).toBe(`--reason "NOPE" is not one of ${REJECTION_REASONS.join(', ')}`)
    expect(refusal(redrive, ['--reason', 'invalid_json']).message).toContain(
      '--reason "invalid_json" is not one of',
    )
  })

  it('reads the limit, the validation mode and the switches', () => {
    expect(redrive(['--limit', '100', '--validation', 'flink', '--force', '--json'])).toMatchObject({
      limit: 100,
      validation: 'flink',
      force: true,
      json: true,
      dryRun: false,
    })
    expect(redrive([])).toMatchObject({ limit: Number.POSITIVE_INFINITY, validation: undefined, reasons: [] })
  })

  it.each([
    [['--limit', '0'], '--limit "0" is not a whole number 1 or more'],
    [['--limit', '2.5'], '--limit "2.5" is not a whole number 1 or more'],
    [['--limit', 'all'], '--limit "all" is not a whole number 1 or more'],
    [['--validation', 'lenient'], '--validation "lenient" is not one of strict, flink'],
    [['--since', '2026-03-02', '--until', '2026-03-01'], 'is not before --until 2026-03-01'],
    [['--force=1'], "Option '--force' does not take an argument"],
  ])('refuses %j', (args, message) => {
    expect(refusal(redrive, args).message).toContain(message)
  })
})

describe('npm run consume', () => {
  it('takes a topic kind and --from-beginning', () => {
    expect(parseConsumeFlags(['--topic', 'dead-letters', '--from-beginning'])).toEqual({
      help: false,
      kind: 'dead-letters',
      fromBeginning: true,
    })
    expect(refusal(parseConsumeFlags, ['--topic', 'dlq']).message).toBe(
      '--topic "dlq" is not one of sink, dead-letters, gave-up',
    )
    expect(refusal(parseConsumeFlags, ['--stage', 'local']).message).toContain("Unknown option '--stage'")
  })
})

describe('npm run console', () => {
  it('takes a stage, params, a port and the refresh interval', () => {
    expect(parseConsoleFlags(['--stage', 'local-iam', '--port', '8080', '--interval', '2.5'])).toEqual({
      help: false,
      stage: 'local-iam',
      params: [],
      port: 8080,
      intervalMs: 2_500,
    })
    expect(parseConsoleFlags([])).toMatchObject({ stage: 'local', port: undefined, intervalMs: 1_000 })
  })

  it.each([
    [['--port', '70000'], '--port "70000" is not a whole number from 0 to 65535'],
    [['--port', 'x'], '--port "x" is not a whole number from 0 to 65535'],
    [['--interval', '0.1'], '--interval "0.1" is not a number of seconds from 0.2 to 60'],
  ])('refuses %j', (args, message) => {
    expect(refusal(parseConsoleFlags, args).message).toBe(message)
  })
})

describe('npm start', () => {
  it('reads the cadence, the run time, the table and the stage', () => {
    expect(
      parseStartFlags(['--every', '2.5', '--for', '60', '--topic', 'gave-up', '--param', 'validation=flink']),
    ).toEqual({
      help: false,
      everyMs: 2_500,
      runForMs: 60_000,
      kind: 'gave-up',
      trace: false,
      stage: 'local',
      params: ['validation=flink'],
    })
    expect(parseStartFlags([])).toMatchObject({ everyMs: 10_000, runForMs: undefined, kind: 'sink' })
    expect(parseStartFlags(['--trace'])).toMatchObject({ trace: true })
  })

  it('traces only with --trace: printed into the log file, or where the shell’s OpenTelemetry settings say', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }
    expect(startTracingEnvironment(false, { ...endpoint, OTEL_SDK_DISABLED: 'false' })).toEqual({
      environment: { OTEL_SDK_DISABLED: 'true' },
      where: undefined,
    })
    expect(startTracingEnvironment(true, {})).toEqual({
      environment: { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'console' },
      where: 'printed in the log file',
    })
    expect(startTracingEnvironment(true, endpoint)).toEqual({
      environment: { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' },
      where: 'exported as OTEL_TRACES_EXPORTER=otlp to http://127.0.0.1:4318 says',
    })
    expect(
      startTracingEnvironment(true, { OTEL_TRACES_EXPORTER: 'console,otlp', ...endpoint }).environment,
    ).toEqual({
      OTEL_SDK_DISABLED: 'false',
      OTEL_TRACES_EXPORTER: 'console,otlp',
    })
  })

  it.each([
    [['--every', '0'], '--every "0" is not a number of seconds from 1 to 2147483'],
    [['--every', '0.5'], '--every "0.5" is not a number of seconds from 1'],
    [['--every', 'fast'], '--every "fast" is not a number of seconds'],
    // A Node timer longer than 2^31 - 1 ms fires at once.
    [['--for', '2147484'], '--for "2147484" is not a number of seconds from 1 to 2147483'],
    [['--for', '-5'], '--for "-5" is not a number of seconds'],
    [['--topic', 'dlq'], '--topic "dlq" is not one of sink, dead-letters, gave-up'],
    [['--stage', ''], '--stage must not be empty'],
    [['--param', 'x'], '--param "x" is not name=value'],
    [['--trace', 'yes'], 'Unexpected argument'],
    [['--every', '5', '--every', '6'], '--every is given more than once'],
  ])('refuses %j', (args, message) => {
    expect(refusal(parseStartFlags, args).message).toContain(message)
  })
})
