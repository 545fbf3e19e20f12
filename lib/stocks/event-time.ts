import { fromEpochDay, type LocalDateTime, toEpochDay } from '../flink/local-date-time.js'
import { parseSqlTimestamp } from '../flink/sql-timestamp.js'

/**
 * Event times. The original producer stamped each record with `datetime.now().strftime("%Y-%m-%d
 * %H:%M:%S.%f")`: its own wall-clock time, to the microsecond. The Flink job read them as SQL timestamps
 * (see lib/flink/sql-timestamp.ts); the ISO form with `T` failed the job.
 */

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}

/**
 * `%Y-%m-%d %H:%M:%S.%f` of a time in microseconds since the epoch, in UTC (Lambda's clock). A double
 * holds microseconds exactly for about 285 years either side of 1970, which covers any producer clock.
 */
export function formatProducerEventTime(epochMicros: number): string {
  const micros = ((epochMicros % 1_000_000) + 1_000_000) % 1_000_000
  const seconds = (epochMicros - micros) / 1_000_000
  const epochDay = Math.floor(seconds / 86_400)
  const secondOfDay = seconds - epochDay * 86_400
  const { year, month, day } = fromEpochDay(epochDay)
  const time = `${pad(Math.floor(secondOfDay / 3600), 2)}:${pad(Math.floor(secondOfDay / 60) % 60, 2)}:${pad(secondOfDay % 60, 2)}`
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${time}.${pad(micros, 6)}`
}

const ISO_EVENT_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:\d{2})?$/

/**
 * The strict mode's extension: `yyyy-MM-ddTHH:mm:ss[.fraction][Z|±HH:MM]` (Python's and JavaScript's ISO
 * form), a real date and time; a time with a zone is converted to UTC, one without is kept as it is.
 */
export function parseIsoEventTime(text: string): LocalDateTime | undefined {
  const match = ISO_EVENT_TIME.exec(text)
  if (match === null) return undefined
  const [, date, time, zone] = match
  const local = parseSqlTimestamp(`${date} ${time}`, 'strict')
  if (local === undefined || zone === undefined || zone === 'Z') return local
  const hours = Number(zone.slice(1, 3))
  const minutes = Number(zone.slice(4))
  if (hours > 18 || minutes > 59 || (hours === 18 && minutes > 0)) return undefined
  const offsetSeconds = (zone.startsWith('-') ? -1 : 1) * (hours * 3600 + minutes * 60)
  const seconds =
    toEpochDay(local.year, local.month, local.day) * 86_400 +
    local.hour * 3600 +
    local.minute * 60 +
    local.second -
    offsetSeconds
  const epochDay = Math.floor(seconds / 86_400)
  const secondOfDay = seconds - epochDay * 86_400
  return {
    ...fromEpochDay(epochDay),
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor(secondOfDay / 60) % 60,
    second: secondOfDay % 60,
    nano: local.nano,
  }
}
