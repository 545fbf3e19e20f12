/**
 * Event times. The original producer wrote `yyyy-MM-dd HH:mm:ss.ffffff` (Python's `%f`, microseconds),
 * with the ISO form `yyyy-MM-ddTHH:mm:ss.fff` as its alternative; the Flink job read them into a
 * `TIMESTAMP(3)` and wrote `yyyy-MM-dd HH:mm:ss.SSS`. Times without a zone are wall-clock times and are
 * kept as they are (Flink's TIMESTAMP has no zone; Lambda's clock is UTC); a time with `Z` or an offset
 * is converted to UTC.
 */

const EVENT_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

// The records of one producer batch share their event time, so the last answer is usually the next one.
let lastParsedText: string | undefined
let lastParsed: number | undefined

/** Parses an accepted event time to epoch milliseconds (fraction cut to milliseconds), or undefined. */
export function parseEventTime(text: string): number | undefined {
  if (text === lastParsedText) return lastParsed
  lastParsed = parse(text)
  lastParsedText = text
  return lastParsed
}

function parse(text: string): number | undefined {
  const match = EVENT_TIME.exec(text)
  if (!match) return undefined
  const [, year, month, day, hour, minute, second, fraction = '', zone] = match
  const wallClock = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.slice(0, 3).padEnd(3, '0')),
  )
  // Date.UTC rolls over out-of-range fields (Feb 30 -> Mar 2); a real date survives the round trip.
  const check = new Date(wallClock)
  if (
    check.getUTCFullYear() !== Number(year) ||
    check.getUTCMonth() !== Number(month) - 1 ||
    check.getUTCDate() !== Number(day) ||
    check.getUTCHours() !== Number(hour) ||
    check.getUTCMinutes() !== Number(minute) ||
    check.getUTCSeconds() !== Number(second)
  ) {
    return undefined
  }
  const offsetMinutes = zone === undefined ? 0 : zoneOffsetMinutes(zone)
  if (offsetMinutes === undefined) return undefined
  return wallClock - offsetMinutes * 60_000
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z') return 0
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2))
  if (hours > 18 || minutes > 59) return undefined
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
}

let lastFormattedMs: number | undefined
let lastFormatted = ''

/** Formats epoch milliseconds the way the Flink job wrote its `TIMESTAMP(3)`: `yyyy-MM-dd HH:mm:ss.SSS`. */
export function formatFlinkTimestamp(epochMs: number): string {
  if (epochMs !== lastFormattedMs) {
    const iso = new Date(epochMs).toISOString()
    lastFormatted = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`
    lastFormattedMs = epochMs
  }
  return lastFormatted
}

/**
 * Formats a time as the original producer did (`%Y-%m-%d %H:%M:%S.%f`). JavaScript clocks resolve
 * milliseconds, so the last three of the six fraction digits are always zero.
 */
export function formatProducerEventTime(epochMs: number): string {
  return `${formatFlinkTimestamp(epochMs)}000`
}
