import { fromEpochDay, type LocalDateTime, toEpochDay } from './local-date-time.js'
import { parseSqlTimestamp } from './sql-timestamp.js'

const ISO_EVENT_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:\d{2})?$/

/**
 * The strict mode's extension to Flink's SQL timestamps (the ISO form with `T` failed the job):
 * `yyyy-MM-ddTHH:mm:ss[.fraction][Z|±HH:MM]` (Python's and JavaScript's ISO form), a real date and time;
 * a time with a zone is converted to UTC, one without is kept as it is.
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
