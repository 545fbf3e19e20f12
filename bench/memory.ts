import { execFileSync } from 'node:child_process'
import { type Measurement, summarise } from './stats.js'

const PROJECT_DIR = new URL('..', import.meta.url).pathname

/** Peak RSS (MB) of a fresh process that processes one event of `size` records, over `rounds` processes. */
export function benchMemory(size: number, rounds: number): { peakMb: Measurement; baselineMb: Measurement } {
  const runs = Array.from({ length: rounds }, () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/memory-child.ts', String(size)], {
      cwd: PROJECT_DIR,
      encoding: 'utf8',
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    })
    return JSON.parse(out.slice(out.lastIndexOf('{"beforeKb"'))) as { beforeKb: number; peakKb: number }
  })
  return {
    peakMb: summarise(runs.map((r) => r.peakKb / 1024)),
    baselineMb: summarise(runs.map((r) => r.beforeKb / 1024)),
  }
}
