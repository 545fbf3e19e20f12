/**
 * Creates the pipeline's topics if they are missing: `npm run kafka:topics`. Against the local broker
 * unless KAFKA_BOOTSTRAP_SERVERS or MSK_CLUSTER_ARN (with KAFKA_AUTH) name another cluster.
 * TOPIC_PARTITIONS (default 2, like the original) and TOPIC_REPLICATION_FACTOR (default 1; use 2 or 3 on
 * MSK) shape the new topics.
 */
import { loadProcessorConfig, loadProducerConfig } from '../lib/config.js'
import { createBrokerResolver } from '../lib/kafka/brokers.js'
import { createKafka } from '../lib/kafka/client.js'
import { ensureTopics } from '../lib/kafka/topics.js'
import { clusterEnv } from './cluster-env.js'

const env = clusterEnv()
const producer = loadProducerConfig(env, 'lookup')
const processor = loadProcessorConfig(env, 'lookup')
const partitions = Number(env.TOPIC_PARTITIONS ?? 2)
const replicationFactor = Number(env.TOPIC_REPLICATION_FACTOR ?? 1)

const admin = createKafka(processor.kafka, createBrokerResolver(processor.kafka)).admin()
await admin.connect()
try {
  const topics = [producer.sourceTopic, processor.sinkTopic, processor.deadLetterTopic]
  const created = await ensureTopics(
    admin,
    topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
  )
  console.log(
    created.length > 0 ? `created topics: ${created.join(', ')}` : `topics exist: ${topics.join(', ')}`,
  )
} finally {
  await admin.disconnect()
}
