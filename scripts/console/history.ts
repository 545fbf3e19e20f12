/** The boxes of the pipeline picture, in the order records pass them. */
export const FLOW_NODES = [
  'producer',
  'source',
  'mapping',
  'processor',
  'sink',
  'deadLetters',
  'gaveUp',
] as const
export type FlowNode = (typeof FLOW_NODES)[number]

/**
 * One poll's numbers, as the charts plot them: a running count per box of the picture (null while
 * unknown: broker away, topic missing), the processor group's lag per source partition, and every end
 * and committed offset by series name (`stocks-in-0`, `stocks-in-0 committed`).
 */
export interface Sample {
  /** Unix time in seconds, as uPlot takes it. */
  readonly t: number
  readonly counts: Readonly<Record<FlowNode, number | null>>
  readonly rates: Readonly<Record<FlowNode, number | null>>
  readonly lag: Readonly<Record<string, number | null>>
  readonly offsets: Readonly<Record<string, number | null>>
}

/** The samples of the last `spanMs`, oldest first, shared by every viewer of the console. */
export class History {
  readonly #spanMs: number
  readonly #samples: Sample[] = []

  constructor(spanMs: number) {
    this.#spanMs = spanMs
  }

  add(sample: Sample): void {
    this.#samples.push(sample)
    const oldest = sample.t - this.#spanMs / 1000
    while ((this.#samples[0]?.t ?? oldest) < oldest) this.#samples.shift()
  }

  get samples(): readonly Sample[] {
    return this.#samples
  }

  /**
   * Records per second of each box over the last `windowMs`: its count now less its count at the oldest
   * sample in the window that had one, over the time between them. Null without two such samples, or
   * when the count went down (a topic deleted and made again).
   */
  ratesAt(t: number, counts: Readonly<Record<FlowNode, number | null>>, windowMs: number) {
    const rates = {} as Record<FlowNode, number | null>
    for (const node of FLOW_NODES) {
      const now = counts[node]
      const then =
        now === null
          ? undefined
          : this.#samples.find((s) => s.t >= t - windowMs / 1000 && s.t < t && s.counts[node] !== null)
      const before = then?.counts[node]
      rates[node] =
        now === null || then === undefined || before == null || before > now
          ? null
          : (now - before) / (t - then.t)
    }
    return rates
  }
}
