/** Several timed rounds of the same work: median and spread, so one noisy round cannot decide a figure. */
export interface Measurement {
  readonly median: number
  readonly min: number
  readonly max: number
  /** (max - min) / median, as a percentage. */
  readonly spreadPct: number
}

export function summarise(samples: readonly number[]): Measurement {
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
  const min = sorted[0] ?? 0
  const max = sorted.at(-1) ?? 0
  return { median, min, max, spreadPct: median === 0 ? 0 : ((max - min) / median) * 100 }
}

/** Runs `work` once to warm up, then `rounds` times; returns each round's duration in milliseconds. */
export async function timeRounds(rounds: number, work: () => unknown): Promise<number[]> {
  await work()
  const samples: number[] = []
  for (let round = 0; round < rounds; round++) {
    const start = performance.now()
    await work()
    samples.push(performance.now() - start)
  }
  return samples
}

/**
 * Like timeRounds for several ways of doing the same work, taking turns round by round, so that the
 * machine slowing down for a while (the broker's GC, a neighbour) weighs on every way alike.
 */
export async function timeAlternating(
  rounds: number,
  works: readonly (() => unknown)[],
): Promise<number[][]> {
  for (const work of works) await work()
  const samples: number[][] = works.map(() => [])
  for (let round = 0; round < rounds; round++) {
    for (const [i, work] of works.entries()) {
      const start = performance.now()
      await work()
      samples[i]?.push(performance.now() - start)
    }
  }
  return samples
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits })

/** Nearest-rank percentile (`p` from 0 to 100): the smallest sample with at least p% of them at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples to take a percentile of')
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}
