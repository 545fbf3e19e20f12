/**
 * Prints what arrives on stocks-out (and the dead-letter topic) as a live table: `npm run consume`.
 * Against the local broker by default; point it at MSK like the functions, for example
 *   MSK_CLUSTER_ARN=arn:aws:kafka:... KAFKA_AUTH=iam npm run consume -- --from-beginning
 * from a machine that reaches the brokers, with AWS credentials allowed to read the topics.
 */
import { parseArgs } from 'node:util'
import { loadProcessorConfig } from '../lib/config.js'
import { createBrokerResolver } from '../lib/kafka/brokers.js'
import { createKafka } from '../lib/kafka/client.js'
import { clusterEnv } from './cluster-env.js'
import { deadLetterRow, sinkRow, tableHeader } from './local/table.js'

const { values: args } = parseArgs({ options: { 'from-beginning': { type: 'boolean', default: false } } })
const env = clusterEnv()
const config = loadProcessorConfig(env)
const consumer = createKafka(
  { ...config.kafka, clientId: 'stocks-consumer' },
  createBrokerResolver(config.kafka),
).consumer({
  groupId: `stocks-consumer-${process.pid}-${Date.now()}`,
})
await consumer.connect()
await consumer.subscribe({
  topics: [config.sinkTopic, config.deadLetterTopic],
  fromBeginning: args['from-beginning'],
})
console.log(tableHeader())
await consumer.run({
  eachMessage: async ({ topic, partition, message }) => {
    console.log(topic === config.sinkTopic ? sinkRow(partition, message) : deadLetterRow(partition, message))
  },
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void consumer.disconnect().finally(() => process.exit(0))
  })
}
