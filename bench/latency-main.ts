/**
 * The latency from the producer's send to the record on stocks-out (bench/latency.ts), as a markdown
 * table on stdout; progress goes to stderr, the functions' logs to a file it names. Needs a running
 * local broker (by default where every local tool finds it, scripts/local/local-brokers.cjs; or --broker):
 *
 *   node --import tsx bench/latency-main.ts [--broker H:P] [--ticks N] [--load-seconds S] [--load-rate R]
 *     [--trickle-rate R] [--compare]   (--compare: also the settings in COMPARED_SETTINGS)
 */
import { parseArgs } from 'node:util'
import { localBrokers } from '../scripts/local/local-brokers.cjs'
import { benchLatency, COMPARED_SETTINGS } from './latency.js'
import { fmt } from './stats.js'
import { latencyTable } from './tables.js'

const { values: args } = parseArgs({
  options: {
    broker: { type: 'string', default: localBrokers().plaintext },
    ticks: { type: 'string', default: '12' },
    'load-seconds': { type: 'string', default: '10' },
    'load-rate': { type: 'string', default: '20000' },
    'trickle-rate': { type: 'string', default: '200' },
    compare: { type: 'boolean', default: false },
  },
})
const cadenceTicks = Number(args.ticks)
const loadSeconds = Number(args['load-seconds'])
const loadRate = Number(args['load-rate'])
if (!(cadenceTicks >= 1 && loadSeconds > 0 && loadRate > 0)) {
  console.error(
    'usage: bench/latency-main.ts [--broker HOST:PORT] [--ticks N] [--load-seconds S] [--load-rate R]',
  )
  process.exit(2)
}

const startedAt = Date.now()
const results = await benchLatency({
  broker: args.broker,
  cadenceTicks,
  loadSeconds,
  loadRate,
  trickleRate: Number(args['trickle-rate']),
  ...(args.compare ? { alternatives: COMPARED_SETTINGS } : {}),
  log: (line) => console.error(line),
})
console.log(latencyTable(results).join('\n'))
console.error(`latency bench: ${fmt((Date.now() - startedAt) / 1000)} s in all`)
