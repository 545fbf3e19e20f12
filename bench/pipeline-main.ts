/**
 * The pipeline benchmark alone, as a markdown table on stdout (progress on stderr):
 *
 *   node --expose-gc --import tsx bench/pipeline-main.ts [--flink] [--records N] [--rounds N] [--broker H:P]
 *
 * Needs a running broker (scripts/kafka/kafka.sh start), by default where every local tool finds it
 * (scripts/local/local-brokers.cjs: LOCAL_KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:$KAFKA_PORT), and
 * runs from the project folder (the deployed settings come from `serverless print`). --flink adds the real
 * PyFlink job, installed by scripts/flink/setup.sh on first use.
 */
import { parseArgs } from 'node:util'
import { localBrokers } from '../scripts/local/local-brokers.cjs'
import { benchPipeline } from './pipeline.js'
import { fmt } from './stats.js'
import { pipelineTable } from './tables.js'

const { values: args } = parseArgs({
  options: {
    flink: { type: 'boolean', default: false },
    records: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    broker: { type: 'string', default: localBrokers().plaintext },
  },
})
const records = Number(args.records)
const rounds = Number(args.rounds)
if (!Number.isInteger(records) || records < 10 || !Number.isInteger(rounds) || rounds < 1) {
  console.error(
    'usage: bench/pipeline-main.ts [--flink] [--records N (≥ 10)] [--rounds N (≥ 1)] [--broker H:P]',
  )
  process.exit(2)
}

const results = await benchPipeline({
  records,
  rounds,
  flink: args.flink,
  broker: args.broker,
  log: (line) => console.error(line),
})

console.log(
  [
    `${fmt(records)} producer records, 2-partition source topic, timed by polling the sink's end offsets; median (min-max) of ${rounds} rounds.`,
    '',
    ...pipelineTable(results, records),
  ].join('\n'),
)
