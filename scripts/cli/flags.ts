import { type ParseArgsConfig, parseArgs } from 'node:util'
import { StocksError } from '../../lib/errors.js'

/**
 * Reading a command's flags: each value checked for its type, range, order or list of known values,
 * and a wrong one refused with a message that names the flag, what it got and what it takes. Pure: the
 * scripts turn a UsageError into one line on stderr and exit 2 (scripts/cli/exit.ts).
 */

/** The command line was wrong: a flag, its value, or one flag against another. */
export class UsageError extends StocksError {}

type Options = NonNullable<ParseArgsConfig['options']>

export interface Parsed<T extends Options> {
  readonly values: ReturnType<typeof parseArgs<{ options: T; strict: true }>>['values']
  /** `--help` was given: print the usage and do nothing else. */
  readonly help: boolean
}

/**
 * node:util's parseArgs, strict (no unknown flags, no positional arguments, a value where one is due),
 * with `--help` and a flag given twice refused unless it takes several values.
 */
export function parseFlags<T extends Options>(args: readonly string[], options: T): Parsed<T> {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: negativeNumbersAsValues(args, options),
      options: { ...options, help: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
      tokens: true,
    })
  } catch (error) {
    // parseArgs's own messages name the flag ("Unknown option '--x'", "Option '--x <value>' argument missing").
    throw new UsageError((error as Error).message.split('\n')[0] ?? String(error), { cause: error })
  }
  const seen = new Set<string>()
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue
    if (seen.has(token.name) && options[token.name]?.multiple !== true) {
      throw new UsageError(`--${token.name} is given more than once`)
    }
    seen.add(token.name)
  }
  const { help, ...values } = parsed.values
  return { values: values as Parsed<T>['values'], help: help === true }
}

/**
 * `--partition -1` as `--partition=-1`: parseArgs takes a value starting with a dash for a forgotten value,
 * where here it is a negative number, which the flag's own check then refuses with its range.
 */
function negativeNumbersAsValues(args: readonly string[], options: Options): string[] {
  const joined: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    const next = args[i + 1]
    const takesValue = arg.startsWith('--') && options[arg.slice(2)]?.type === 'string'
    if (takesValue && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`)
      i++
    } else joined.push(arg)
  }
  return joined
}

/** A number of seconds from `min` to `max` (fractions allowed). */
export function seconds(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN
  if (!(value >= min && value <= max)) {
    throw new UsageError(`--${flag} "${text}" is not a number of seconds from ${min} to ${max}`)
  }
  return value
}

/** A whole number from `min` to `max`. */
export function wholeNumber(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN
  if (!(value >= min && value <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`
    throw new UsageError(`--${flag} "${text}" is not a whole number ${range}`)
  }
  return value
}

/** One of the values the flag knows. */
export function choice<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T
  throw new UsageError(`--${flag} "${text}" is not one of ${allowed.join(', ')}`)
}

const AGE = /^(\d+)([smhd])$/
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * An ISO 8601 time (a date alone is midnight UTC; a time without an offset is the machine's local time),
 * or an age before `now` such as 30m, 2h, 7d. A date that does not exist (February 30) is refused, not
 * moved to the next month as JavaScript's Date would.
 */
export function time(flag: string, text: string, now: Date): Date {
  const age = AGE.exec(text)
  if (age !== null) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS])
  const iso = ISO_TIME.exec(text)
  const parsed = iso === null ? undefined : new Date(text.replace(' ', 'T'))
  if (iso === null || parsed === undefined || Number.isNaN(parsed.getTime()) || !calendarDate(iso)) {
    throw new UsageError(
      `--${flag} "${text}" is not a time: give an ISO 8601 time (2026-03-01T12:00:00Z) or an age (30m, 2h, 7d)`,
    )
  }
  return parsed
}

/** The fields as written exist: month 1-12, a day of that month, hours 0-23, minutes and seconds 0-59. */
function calendarDate(fields: RegExpExecArray): boolean {
  const [year, month, day, hours, minutes, secs] = [1, 2, 3, 4, 5, 6].map((at) =>
    Number(fields[at] ?? 0),
  ) as [number, number, number, number, number, number]
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hours <= 23 && minutes <= 59 && secs <= 59
  )
}

/** `--since` and `--until`, each optional, and `--since` before `--until` when both are given. */
export function timeWindow(
  since: string | undefined,
  until: string | undefined,
  now: Date,
): { since?: Date; until?: Date } {
  const from = since === undefined ? undefined : time('since', since, now)
  const to = until === undefined ? undefined : time('until', until, now)
  if (from !== undefined && to !== undefined && from.getTime() >= to.getTime()) {
    throw new UsageError(
      `--since ${since} (${from.toISOString()}) is not before --until ${until} (${to.toISOString()}): nothing would be selected`,
    )
  }
  return { ...(from === undefined ? {} : { since: from }), ...(to === undefined ? {} : { until: to }) }
}

const PARAM = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/s

/**
 * `--param name=value`, as serverless takes them; the names are checked against serverless.yml's params
 * once it is read (scripts/local/stage-env.ts).
 */
export function params(values: readonly string[]): string[] {
  for (const value of values) {
    if (!PARAM.test(value)) throw new UsageError(`--param "${value}" is not name=value`)
  }
  return [...values]
}

/** An http(s) URL. */
export function url(flag: string, text: string): string {
  let parsed: URL | undefined
  try {
    parsed = new URL(text)
  } catch {
    parsed = undefined
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new UsageError(`--${flag} "${text}" is not an http(s) URL`)
  }
  return text
}

/** A value that must not be empty (a consumer group, a stage). */
export function nonEmpty(flag: string, text: string): string {
  if (text.trim() === '') throw new UsageError(`--${flag} must not be empty`)
  return text
}
