/**
 * A progress line on stderr for long runs: counts and rate, redrawn in place on a terminal, a line every
 * few seconds otherwise (CI logs).
 */
export class Progress {
  readonly #label: string
  readonly #total: number
  readonly #startedAt = Date.now()
  #lastDrawn = 0
  #done = 0

  constructor(label: string, total: number) {
    this.#label = label
    this.#total = total
  }

  add(count: number, detail = ''): void {
    this.#done += count
    const now = Date.now()
    const tty = process.stderr.isTTY === true
    if (now - this.#lastDrawn < (tty ? 200 : 5_000) && this.#done < this.#total) return
    this.#lastDrawn = now
    process.stderr.write(`${tty ? '\r\x1b[2K' : ''}${this.line(detail)}${tty ? '' : '\n'}`)
  }

  line(detail = ''): string {
    const seconds = Math.max(0.001, (Date.now() - this.#startedAt) / 1000)
    const share = this.#total > 0 ? Math.min(1, this.#done / this.#total) : 1
    const bar = '#'.repeat(Math.round(share * 20)).padEnd(20, '.')
    return `${this.#label} [${bar}] ${this.#done.toLocaleString('en')}/${this.#total.toLocaleString('en')} (${Math.round(this.#done / seconds).toLocaleString('en')}/s)${detail ? ` ${detail}` : ''}`
  }

  end(): void {
    if (process.stderr.isTTY === true) process.stderr.write('\n')
  }
}
