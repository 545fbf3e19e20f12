import { choice, nonEmpty, params, parseFlags, seconds } from '../cli/flags.js'
import { TABLE_KINDS, type TableKind } from './table.js'

/** `npm start`'s flags, checked before anything starts (scripts/cli/flags.ts). */

export const START_USAGE = `npm start -- [--every SECONDS] [--for SECONDS] [--topic ${TABLE_KINDS.join('|')}] [--trace] [--stage local] [--param name=value ...]`

/** The longest delay a Node timer keeps (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000)

export interface StartFlags {
  readonly help: false
  /** How often the producer runs: one invocation per tick, so ticks shorter than 1 s would overlap them. */
  readonly everyMs: number
  /** Stop after this long; undefined: until Ctrl-C. */
  readonly runForMs: number | undefined
  readonly kind: TableKind
  /** Record the functions' spans (OpenTelemetry) and print or export them; off by default. */
  readonly trace: boolean
  readonly stage: string
  readonly params: readonly string[]
}

export function parseStartFlags(args: readonly string[]): StartFlags | { help: true; usage: string } {
  const { values, help } = parseFlags(args, {
    every: { type: 'string', default: '10' },
    for: { type: 'string' },
    stage: { type: 'string', default: 'local' },
    param: { type: 'string', multiple: true, default: [] },
    topic: { type: 'string', default: 'sink' },
    trace: { type: 'boolean', default: false },
  })
  if (help) return { help, usage: START_USAGE }
  return {
    help: false,
    everyMs: seconds('every', values.every, 1, MAX_TIMER_SECONDS) * 1000,
    runForMs: values.for === undefined ? undefined : seconds('for', values.for, 1, MAX_TIMER_SECONDS) * 1000,
    kind: choice('topic', values.topic, TABLE_KINDS),
    trace: values.trace,
    stage: nonEmpty('stage', values.stage),
    params: params(values.param),
  }
}

/**
 * The OpenTelemetry settings the functions run with under `npm start`: off without --trace, whatever the
 * shell or the stage says; with it, on, the spans going where OTEL_TRACES_EXPORTER or an OTLP endpoint in
 * the shell sends them, else printed into the log file (the console exporter). `where` says which, for
 * the person watching.
 */
export function startTracingEnvironment(
  trace: boolean,
  env: Readonly<Record<string, string | undefined>>,
): { environment: Record<string, string>; where: string | undefined } {
  if (!trace) return { environment: { OTEL_SDK_DISABLED: 'true' }, where: undefined }
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT
  const exporter = env.OTEL_TRACES_EXPORTER || (endpoint ? 'otlp' : 'console')
  return {
    environment: { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: exporter },
    where:
      exporter === 'console'
        ? 'printed in the log file'
        : `exported as OTEL_TRACES_EXPORTER=${exporter}${endpoint ? ` to ${endpoint}` : ''} says`,
  }
}
