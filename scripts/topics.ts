/**
 * Creates the pipeline's topics if they are missing: `npm run kafka:topics`. Against the local broker by
 * default; set KAFKA_BOOTSTRAP_SERVERS (and KAFKA_AUTH, MSK_CLUSTER_ARN...) to use another cluster.
 */
import { type Env, loadProcessorConfig, loadProducerConfig } from '../lib/config.js'
import { createBrokerResolver } from '../lib/kafka/brokers.js'
import { createKafka } from '../lib/kafka/client.js'
import { ensureTopics } from '../lib/kafka/topics.js'

const env: Env = {
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092',
  KAFKA_AUTH: 'none',
  ...process.env,
}
const producer = loadProducerConfig(env)
const processor = loadProcessorConfig(env)
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
