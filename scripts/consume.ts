/**
 * A live table of a topic of the pipeline: `npm run consume [-- --topic sink|dead-letters|gave-up]
 * [--from-beginning]`. Against the local broker by default; point it at MSK like the functions, e.g.
 *   MSK_CLUSTER_ARN=arn:aws:kafka:... KAFKA_AUTH=iam npm run consume -- --from-beginning
 * from a machine that reaches the brokers, with AWS credentials allowed to read the topics. The clients'
 * logs go to a file it names, not between the rows.
 */

// First: from here on the loggers write to the log file.
import './local/quiet-logs.js'
import { parseArgs } from 'node:util'
import { loadProcessorConfig } from '../lib/config.js'
import { clusterEnv } from './cluster-env.js'
import { LOG_FILE, notice, showRow } from './local/quiet-logs.js'
import { TABLE_KINDS, type TableKind } from './local/table.js'
import { startTablePrinter } from './local/table-printer.js'

const { values: args } = parseArgs({
  options: {
    'from-beginning': { type: 'boolean', default: false },
    topic: { type: 'string', default: 'sink' },
  },
})
const kind = args.topic as TableKind
if (!TABLE_KINDS.includes(kind)) {
  notice(`usage: npm run consume -- [--topic ${TABLE_KINDS.join('|')}] [--from-beginning]`)
  process.exit(2)
}
const env = clusterEnv()
const config = loadProcessorConfig(env, 'lookup')
const topics: Record<TableKind, string> = {
  sink: config.sinkTopic,
  'dead-letters': config.deadLetterTopic,
  'gave-up': env.GAVE_UP_TOPIC ?? 'stocks-gave-up',
}
notice(`${topics[kind]} (${kind}), logs in ${LOG_FILE}; Ctrl-C stops`)
const consumer = await startTablePrinter(config.kafka, {
  clientId: 'stocks-consumer',
  fromBeginning: args['from-beginning'],
  kind,
  topic: topics[kind],
  write: showRow,
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void consumer.disconnect().finally(() => process.exit(0))
  })
}
