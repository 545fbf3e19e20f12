import { describe, expect, it } from 'vitest'
import { epochMicros } from '../../lib/stocks/clock.js'
import { formatProducerEventTime } from '../../lib/stocks/event-time.js'

const micros = (iso: string, extra = 0) => Date.parse(iso) * 1000 + extra

describe('formatProducerEventTime', () => {
  it.each([
    [micros('2026-11-24T01:02:03.456Z', 789), '2026-11-24 01:02:03.456789'],
    [micros('2026-11-24T01:02:03.000Z'), '2026-11-24 01:02:03.000000'],
    [micros('2024-02-29T23:59:59.999Z', 999), '2024-02-29 23:59:59.999999'],
    [micros('1969-12-31T23:59:59.999Z', 1), '1969-12-31 23:59:59.999001'],
  ])("writes %d as Python's %%Y-%%m-%%d %%H:%%M:%%S.%%f: %s", (time, text) => {
    expect(formatProducerEventTime(time)).toBe(text)
  })
})

describe('epochMicros', () => {
  it('follows the wall clock to the millisecond, with microseconds of its own', () => {
    const seen = new Set<number>()
    for (let i = 0; i < 1000; i++) {
      const before = Date.now()
      const now = epochMicros()
      const after = Date.now()
      expect(now).toBeGreaterThanOrEqual(before * 1000)
      expect(now).toBeLessThan((after + 1) * 1000)
      seen.add(now % 1000)
    }
    // Not every reading is a whole millisecond.
    expect(seen.size).toBeGreaterThan(1)
  })
})
