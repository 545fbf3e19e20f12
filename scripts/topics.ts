/**
 * Brings the pipeline's topics to shape (creates the missing ones, adds partitions): `npm run
 * kafka:topics`. Against the local broker unless KAFKA_BOOTSTRAP_SERVERS or MSK_CLUSTER_ARN (with
 * KAFKA_AUTH) name another cluster. TOPIC_PARTITIONS (default 2, like the original) and
 * TOPIC_REPLICATION_FACTOR (default -1, the cluster's own) shape them, and KAFKA_MAX_MESSAGE_BYTES gives the
 * record batch size they take (Kafka's default, 1,048,588).
 */
import './cli/exit.js'
import { loadProcessorConfig, loadProducerConfig } from '../lib/config.js'
import { createBrokerResolver } from '../lib/kafka/broker-lookup.js'
import { createKafka } from '../lib/kafka/client.js'
import {
  DEFAULT_PARTITIONS,
  DEFAULT_REPLICATION_FACTOR,
  ensureTopicsOn,
  topicSpecs,
} from '../lib/kafka/topics.js'
import { explainFailures, nameCommand } from './cli/exit.js'
import { brokerAdvice, cannotReach } from './cli/failure.js'
import { clusterEnv, clusterSource } from './cluster-env.js'

nameCommand('npm run kafka:topics')
const env = clusterEnv()
const producer = loadProducerConfig(env, 'lookup')
const processor = loadProcessorConfig(env, 'lookup')
explainFailures((error) =>
  cannotReach(error) ? brokerAdvice(processor.kafka.bootstrapServers.join(','), clusterSource()) : undefined,
)
// The gave-up topic is the event source mapping's on-failure destination (serverless.yml's gaveUpTopic).
const topics = [
  producer.sourceTopic,
  processor.sinkTopic,
  processor.deadLetterTopic,
  env.GAVE_UP_TOPIC ?? 'stocks-gave-up',
]
const { created, extended } = await ensureTopicsOn(
  createKafka(processor.kafka, createBrokerResolver(processor.kafka)),
  topicSpecs(topics, {
    numPartitions: Number(env.TOPIC_PARTITIONS ?? DEFAULT_PARTITIONS),
    replicationFactor: Number(env.TOPIC_REPLICATION_FACTOR ?? DEFAULT_REPLICATION_FACTOR),
    maxMessageBytes: processor.kafka.maxMessageBytes,
  }),
)
console.log(
  `topics ${topics.join(', ')}: ${created.length === 0 ? 'none created' : `created ${created.join(', ')}`}` +
    (extended.length === 0 ? '' : `, more partitions for ${extended.join(', ')}`),
)
