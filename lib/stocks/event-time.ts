/**
 * Event times. The original producer stamped each record with `datetime.now().strftime("%Y-%m-%d
 * %H:%M:%S.%f")`: its own wall-clock time (UTC in Lambda), to the microsecond.
 */

/** `%Y-%m-%d %H:%M:%S.%f` of a time in microseconds since the epoch, in UTC. */
export function formatProducerEventTime(epochMicros: number): string {
  const micros = ((epochMicros % 1_000_000) + 1_000_000) % 1_000_000
  const iso = new Date((epochMicros - micros) / 1000).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micros).padStart(6, '0')}`
}

const EVENT_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))?$/

/**
 * Whether a text is an event time: `yyyy-MM-dd HH:mm:ss[.fraction]` as the producer writes it, or the ISO
 * form with `T` and an optional zone (`Z`, `±HH:MM`, at most 18 hours), of a real date and time.
 */
export function isEventTime(text: string): boolean {
  const match = EVENT_TIME.exec(text)
  if (match === null) return false
  const [, year, month, day, hour, minute, second, zone, zoneHours = '0', zoneMinutes = '0'] = match
  if (zone !== undefined && text[10] !== 'T') return false
  if (Number(zoneMinutes) > 59 || Number(zoneHours) * 60 + Number(zoneMinutes) > 18 * 60) return false
  const monthNumber = Number(month)
  const dayNumber = Number(day)
  return (
    monthNumber >= 1 &&
    monthNumber <= 12 &&
    dayNumber >= 1 &&
    dayNumber <= daysInMonth(Number(year), monthNumber) &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second) < 60
  )
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
}
