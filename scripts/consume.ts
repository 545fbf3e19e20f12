/**
 * A live table of a topic of the pipeline: `npm run consume [-- --topic sink|dead-letters|gave-up]
 * [--from-beginning]`. Against the local broker by default; point it at MSK like the functions, e.g.
 *   MSK_CLUSTER_ARN=arn:aws:kafka:... KAFKA_AUTH=iam npm run consume -- --from-beginning
 * from a machine that reaches the brokers, with AWS credentials allowed to read the topics. The clients'
 * logs go to a file it names, not between the rows.
 */

// First: from here on the loggers write to the log file; then any failure is one line on stderr.
import './local/quiet-logs.js'
import './cli/exit.js'
import { loadProcessorConfig } from '../lib/config.js'
import { explainFailures, nameCommand } from './cli/exit.js'
import { brokerAdvice, cannotReach } from './cli/failure.js'
import { clusterEnv, clusterSource } from './cluster-env.js'
import { keepLogFile, LOG_FILE, notice, showRow } from './local/quiet-logs.js'
import type { TableKind } from './local/table.js'
import { startTablePrinter } from './local/table-printer.js'
import { parseConsumeFlags } from './ops/flags.js'

nameCommand('npm run consume')
const args = parseConsumeFlags(process.argv.slice(2))
if (args.help) {
  process.stdout.write(`usage: ${args.usage}\n`)
  process.exit(0)
}
const { kind } = args
const env = clusterEnv()
const config = loadProcessorConfig(env, 'lookup')
explainFailures((error) =>
  cannotReach(error) ? brokerAdvice(config.kafka.bootstrapServers.join(','), clusterSource()) : undefined,
)
const topics: Record<TableKind, string> = {
  sink: config.sinkTopic,
  'dead-letters': config.deadLetterTopic,
  'gave-up': env.GAVE_UP_TOPIC ?? 'stocks-gave-up',
}
keepLogFile()
notice(
  `${topics[kind]} (${kind}) at ${config.kafka.bootstrapServers.join(',') || 'the looked-up brokers'}, logs in ${LOG_FILE}; Ctrl-C stops`,
)
const consumer = await startTablePrinter(config.kafka, {
  clientId: 'stocks-consumer',
  fromBeginning: args.fromBeginning,
  kind,
  topic: topics[kind],
  write: showRow,
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void consumer.disconnect().finally(() => process.exit(0))
  })
}
