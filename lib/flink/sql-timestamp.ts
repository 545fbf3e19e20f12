import { daysInMonth, fromEpochDay, type LocalDateTime, toEpochDay, withEpochDay } from './local-date-time.js'

/**
 * The Flink JSON format's `TIMESTAMP` column, read and written as the job did. Flink parses the text with
 * `TimeFormats.SQL_TIMESTAMP_FORMAT` (flink-format-common): ISO_LOCAL_DATE, a space, `HH:mm:ss`, then
 * `appendFraction(NANO_OF_SECOND, 0, 9, true)`, resolved with `DateTimeFormatter`'s default SMART style;
 * keeps the row in a `TimestampData` (epoch milliseconds as a Java long + nanos of the millisecond), which
 * keeps every fraction digit although the column is TIMESTAMP(3); and writes it back with the same
 * formatter, so the fraction has the fewest digits and no dot when it is zero.
 *
 * `resolver: 'strict'` resolves as Java's ResolverStyle.STRICT instead: no day clamped into its month, no
 * `24:00:00` (the processor's strict mode).
 */
export type Resolver = 'smart' | 'strict'

const ZERO = 48

function digitAt(text: string, index: number): number {
  const digit = text.charCodeAt(index) - ZERO
  return digit >= 0 && digit <= 9 ? digit : -1
}

/** `appendValue(field, 2)`: exactly two ASCII digits, no sign (strict parsing). */
function twoDigits(text: string, index: number): number {
  const tens = digitAt(text, index)
  const ones = digitAt(text, index + 1)
  return tens < 0 || ones < 0 ? -1 : tens * 10 + ones
}

const MAX_YEAR = 999_999_999

/**
 * ISO_LOCAL_DATE's year, `appendValue(YEAR, 4, 10, EXCEEDS_PAD)` parsed strictly: four digits, or a sign
 * and up to ten digits where `+` needs more than four and `-0...` is refused.
 */
function parseYear(text: string, start: number): { year: number; end: number } | undefined {
  const sign = text[start]
  const negative = sign === '-'
  const positive = sign === '+'
  let index = negative || positive ? start + 1 : start
  const digitsStart = index
  let year = 0
  while (index < text.length && index - digitsStart < 10) {
    const digit = digitAt(text, index)
    if (digit < 0) break
    year = year * 10 + digit
    index++
  }
  const width = index - digitsStart
  if (width < 4) return undefined
  if (negative) {
    if (year === 0) return undefined
    year = -year
  } else if (positive ? width <= 4 : width > 4) {
    return undefined
  }
  return { year, end: index }
}

/**
 * Parses `text` as Flink's SQL_TIMESTAMP_FORMAT does, or returns undefined where Flink's parse throws (a
 * DateTimeParseException, which fails the job).
 */
export function parseSqlTimestamp(text: string, resolver: Resolver = 'smart'): LocalDateTime | undefined {
  const parsedYear = parseYear(text, 0)
  if (parsedYear === undefined) return undefined
  let index = parsedYear.end
  if (text[index] !== '-') return undefined
  const month = twoDigits(text, index + 1)
  if (text[index + 3] !== '-') return undefined
  const day = twoDigits(text, index + 4)
  if (text[index + 6] !== ' ') return undefined
  const hour = twoDigits(text, index + 7)
  if (text[index + 9] !== ':') return undefined
  const minute = twoDigits(text, index + 10)
  if (text[index + 12] !== ':') return undefined
  const second = twoDigits(text, index + 13)
  if (month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined
  index += 15
  let nano = 0
  if (text[index] === '.') {
    // Up to nine digits; a dot with none is a zero fraction.
    index++
    let scale = 100_000_000
    const end = Math.min(text.length, index + 9)
    while (index < end) {
      const digit = digitAt(text, index)
      if (digit < 0) break
      nano += digit * scale
      scale /= 10
      index++
    }
  }
  if (index !== text.length) return undefined
  return resolve(parsedYear.year, month, day, hour, minute, second, nano, resolver)
}

/** Parsed.resolve with IsoChronology.resolveYMD and Parsed.resolveTime, SMART or STRICT. */
function resolve(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  nano: number,
  resolver: Resolver,
): LocalDateTime | undefined {
  if (year > MAX_YEAR || year < -MAX_YEAR || month < 1 || month > 12 || day < 1 || day > 31) return undefined
  const lastDay = daysInMonth(year, month)
  if (day > lastDay) {
    if (resolver === 'strict') return undefined
    day = lastDay
  }
  if (minute > 59) return undefined
  if (resolver === 'smart' && hour === 24 && minute === 0 && second === 0 && nano === 0) {
    // 24:00 is the end of the day: midnight of the next (an excess day, added to the date).
    const next = toEpochDay(year, month, day) + 1
    const date = fromEpochDay(next)
    if (date.year > MAX_YEAR) return undefined
    return { ...date, hour: 0, minute: 0, second: 0, nano: 0 }
  }
  if (hour > 23 || second > 59) return undefined
  return { year, month, day, hour, minute, second, nano }
}

const MILLIS_PER_DAY = 86_400_000n
/** Within this many days of 1970 the Java long and int arithmetic below cannot overflow. */
const SAFE_EPOCH_DAYS = 2_000_000_000

/**
 * What `TimestampData.fromLocalDateTime(t).toLocalDateTime()` gives back: `t` itself, except for years
 * so far out (about ±5.8 million) that Flink's long milliseconds or its int day count wrap around.
 */
export function throughTimestampData(time: LocalDateTime): LocalDateTime {
  const epochDay = toEpochDay(time.year, time.month, time.day)
  if (Math.abs(epochDay) < SAFE_EPOCH_DAYS) return time
  const nanoOfDay =
    BigInt(((time.hour * 60 + time.minute) * 60 + time.second) * 1_000_000_000) + BigInt(time.nano)
  const millisecond = BigInt.asIntN(64, BigInt(epochDay) * MILLIS_PER_DAY + nanoOfDay / 1_000_000n)
  const nanoOfMillisecond = Number(nanoOfDay % 1_000_000n)
  let date = BigInt.asIntN(32, millisecond / MILLIS_PER_DAY)
  let millisOfDay = Number(BigInt.asIntN(32, millisecond % MILLIS_PER_DAY))
  if (millisOfDay < 0) {
    date = BigInt.asIntN(32, date - 1n)
    millisOfDay += Number(MILLIS_PER_DAY)
  }
  const secondOfDay = Math.floor(millisOfDay / 1000)
  return withEpochDay(Number(date), {
    ...time,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor(secondOfDay / 60) % 60,
    second: secondOfDay % 60,
    nano: (millisOfDay % 1000) * 1_000_000 + nanoOfMillisecond,
  })
}

/** The form the original producer wrote, with a 4-digit year: the one worth a fast path. */
const PLAIN_FORM = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{0,9})?$/

/**
 * The text Flink writes for an event time it read as `text`, or undefined where reading it fails the job.
 * A valid date and time in the plain form comes back as it is, less the fraction's trailing zeros.
 */
export function flinkTimestampText(text: string, resolver: Resolver = 'smart'): string | undefined {
  if (PLAIN_FORM.test(text)) {
    const year = twoDigits(text, 0) * 100 + twoDigits(text, 2)
    const month = twoDigits(text, 5)
    const day = twoDigits(text, 8)
    if (
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month) &&
      twoDigits(text, 11) <= 23 &&
      twoDigits(text, 14) <= 59 &&
      twoDigits(text, 17) <= 59
    ) {
      let end = text.length
      while (end > 20 && text.charCodeAt(end - 1) === ZERO) end--
      if (end === 20) end = 19
      return end === text.length ? text : text.slice(0, end)
    }
  }
  const parsed = parseSqlTimestamp(text, resolver)
  return parsed === undefined ? undefined : formatSqlTimestamp(throughTimestampData(parsed))
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value)
}

/** ISO_LOCAL_DATE's year: at least four digits, `+` from 10000 on, `-` before year 0. */
function formatYear(year: number): string {
  const digits = String(Math.abs(year)).padStart(4, '0')
  if (year < 0) return `-${digits}`
  return year >= 10_000 ? `+${digits}` : digits
}

/** The fraction as `appendFraction(NANO_OF_SECOND, 0, 9, true)` prints it: fewest digits, no dot for 0. */
function formatFraction(nano: number): string {
  if (nano === 0) return ''
  let digits = String(nano).padStart(9, '0')
  let end = digits.length
  while (digits.charCodeAt(end - 1) === ZERO) end--
  digits = digits.slice(0, end)
  return `.${digits}`
}

/** SQL_TIMESTAMP_FORMAT.format(t): `yyyy-MM-dd HH:mm:ss[.fraction]`. */
export function formatSqlTimestamp(time: LocalDateTime): string {
  return `${formatYear(time.year)}-${pad2(time.month)}-${pad2(time.day)} ${pad2(time.hour)}:${pad2(time.minute)}:${pad2(time.second)}${formatFraction(time.nano)}`
}
