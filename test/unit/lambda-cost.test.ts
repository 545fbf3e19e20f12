import { describe, expect, it } from 'vitest'
import {
  ARM64_PRICE_PER_GB_SECOND,
  costPerMillionRecords,
  PRICE_PER_REQUEST,
} from '../../bench/lambda-cost.js'

describe('cost per million records', () => {
  it('adds the requests to the GB-seconds, the durations stretched to the memory size’s share of a vCPU', () => {
    // 1,000 invocations of 1,000 records, 100 ms each on a full core.
    const measured = { records: 1_000_000, invocations: 1_000, billedMs: 100_000 }
    const at1769 = 1_000 * PRICE_PER_REQUEST + 100 * (1_769 / 1_024) * ARM64_PRICE_PER_GB_SECOND
    expect(costPerMillionRecords(measured, 1_769)).toBeCloseTo(at1769, 12)
    // At 256 MB a function gets 256/1769 of a vCPU: the same work takes 1769/256 times as long, so the
    // GB-seconds are those of a full vCPU's memory, whatever the size below it.
    expect(costPerMillionRecords(measured, 256)).toBeCloseTo(at1769, 12)
    // Above a vCPU, no stretch: more memory costs more.
    expect(costPerMillionRecords(measured, 3_538)).toBeCloseTo(
      1_000 * PRICE_PER_REQUEST + 100 * (3_538 / 1_024) * ARM64_PRICE_PER_GB_SECOND,
      12,
    )
    expect(
      costPerMillionRecords({ records: 500_000, invocations: 1_000, billedMs: 100_000 }, 1_769),
    ).toBeCloseTo(2 * at1769, 12)
    expect(costPerMillionRecords({ records: 0, invocations: 0, billedMs: 0 })).toBe(0)
  })
})
