/**
 * What tracing costs, alone: the processor's hot path on records carrying trace headers, tracing off and
 * on (section 1 of RESULTS.md), and each function's bundle and module init, tracing off and on (section
 * 4), as markdown tables on stdout (progress on stderr). Needs no broker:
 *
 *   node --expose-gc --import tsx bench/tracing-main.ts [--rounds N]
 */
import { parseArgs } from 'node:util'
import { benchColdStart } from './cold-start.js'
import { benchHotPath } from './hot-path.js'
import { coldStartTable, hotPathTables } from './tables.js'

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } })
const rounds = Number(args.rounds)
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: bench/tracing-main.ts [--rounds N (≥ 1)]')
  process.exit(2)
}
const over: string[] = []
const check = (ok: boolean, what: string) => {
  if (!ok) over.push(what)
  return ok ? 'within budget' : '**over budget**'
}
console.error('hot path...')
const hot = await benchHotPath([100, 1_000, 10_000], rounds * 3)
console.error('cold start...')
const cold = await benchColdStart(['producer', 'processor', 'topics'], rounds)
console.log(
  [
    '## Processor hot path (records/s, no network)',
    '',
    ...hotPathTables(hot, check),
    '',
    '## Cold start: bundle size and module init in a fresh Node process',
    '',
    ...coldStartTable(cold, check),
    '',
    ...(over.length === 0 ? [] : ['Over budget:', ...over.map((what) => `- ${what}`)]),
  ].join('\n'),
)
