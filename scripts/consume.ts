/**
 * Prints what arrives on stocks-out (and the dead-letter topic) as a live table: `npm run consume`.
 * Against the local broker by default; point it at MSK like the functions, for example
 *   MSK_CLUSTER_ARN=arn:aws:kafka:... KAFKA_AUTH=iam npm run consume -- --from-beginning
 * from a machine that reaches the brokers, with AWS credentials allowed to read the topics.
 */
import { parseArgs } from 'node:util'
import { loadProcessorConfig } from '../lib/config.js'
import { clusterEnv } from './cluster-env.js'
import { startTablePrinter } from './local/table-printer.js'

const { values: args } = parseArgs({ options: { 'from-beginning': { type: 'boolean', default: false } } })
const config = loadProcessorConfig(clusterEnv(), 'lookup')
const consumer = await startTablePrinter(config, {
  clientId: 'stocks-consumer',
  fromBeginning: args['from-beginning'],
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void consumer.disconnect().finally(() => process.exit(0))
  })
}
