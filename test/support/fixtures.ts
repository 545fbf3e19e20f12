import { readFileSync } from 'node:fs'
import type { MskEvent } from '../../lib/msk/event.js'

/** The sample events under events/, the same files `serverless invoke local -p` uses. */
export function fixture(name: 'msk.json' | 'msk-with-bad-records.json' | 'schedule.json'): MskEvent {
  return JSON.parse(readFileSync(new URL(`../../events/${name}`, import.meta.url), 'utf8')) as MskEvent
}
