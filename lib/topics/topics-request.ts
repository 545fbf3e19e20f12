import type { CloudFormationCustomResourceEvent } from 'aws-lambda'
import type { CustomResourceOutcome } from '../cloudformation/custom-resource.js'
import { type Env, loadKafkaConfig, MIN_MAX_MESSAGE_BYTES } from '../config.js'
import { ConfigError } from '../errors.js'
import { createBrokerResolver } from '../kafka/broker-lookup.js'
import { createKafka } from '../kafka/client.js'
import type { BrokerResolver } from '../kafka/configured-brokers.js'
import { ensureTopicsOn, type TopicChanges, type TopicSpec, topicSpecs } from '../kafka/topics.js'
import { logger } from '../log.js'

/** What the stack asks for: the `Custom::KafkaTopics` properties (CloudFormation sends them as text). */
export interface TopicsProperties {
  readonly Topics: readonly string[]
  readonly NumPartitions: number | string
  readonly ReplicationFactor: number | string
  /** The topics' `max.message.bytes` (the `maxMessageBytes` param); the cluster's default when absent. */
  readonly MaxMessageBytes?: number | string
}

export function topicSpecsOf(properties: Partial<TopicsProperties> | undefined): TopicSpec[] {
  const topics = properties?.Topics
  const numPartitions = Number(properties?.NumPartitions)
  const replicationFactor = Number(properties?.ReplicationFactor)
  const problems: string[] = []
  if (
    !Array.isArray(topics) ||
    topics.length === 0 ||
    !topics.every((t) => typeof t === 'string' && t !== '')
  ) {
    problems.push('Topics must be a list of topic names')
  }
  if (!Number.isInteger(numPartitions) || numPartitions < 1) problems.push('NumPartitions must be at least 1')
  if (!Number.isInteger(replicationFactor) || replicationFactor === 0 || replicationFactor < -1) {
    problems.push('ReplicationFactor must be -1 (the cluster default) or at least 1')
  }
  const maxMessageBytes =
    properties?.MaxMessageBytes === undefined ? undefined : Number(properties.MaxMessageBytes)
  if (
    maxMessageBytes !== undefined &&
    !(Number.isInteger(maxMessageBytes) && maxMessageBytes >= MIN_MAX_MESSAGE_BYTES)
  ) {
    problems.push(`MaxMessageBytes must be a whole number of at least ${MIN_MAX_MESSAGE_BYTES}`)
  }
  if (problems.length > 0)
    throw new ConfigError(`Invalid Custom::KafkaTopics properties: ${problems.join('; ')}`)
  return topicSpecs(topics as string[], { numPartitions, replicationFactor, maxMessageBytes })
}

export interface TopicsDeps {
  /** The cluster's bootstrap brokers, handed to the producer and processor through the stack. */
  readonly brokers: BrokerResolver
  readonly ensureTopics: (specs: readonly TopicSpec[]) => Promise<TopicChanges>
}

/** The cluster the function's settings name (read per request: a bad one must become an answer). */
export function clusterTopicsDeps(env: Env = process.env): TopicsDeps {
  const config = loadKafkaConfig(env)
  // The one function that asks the MSK API for the brokers; the stack passes them on to the others.
  const brokers = createBrokerResolver(config)
  const kafka = createKafka(config, brokers)
  return { brokers, ensureTopics: (specs) => ensureTopicsOn(kafka, specs) }
}

/**
 * Create and Update bring the topics to what the stack asks for (new topics, more partitions; a change
 * Kafka cannot make fails with the reason) and return the brokers for `Fn::GetAtt Topics.BootstrapBrokers`.
 * Delete leaves the topics, whose records belong to the cluster, and always succeeds: it needs neither the
 * settings nor the cluster, so a stack can be removed even after its cluster is gone.
 */
export async function applyTopicsRequest(
  event: CloudFormationCustomResourceEvent,
  deps: () => TopicsDeps = clusterTopicsDeps,
): Promise<CustomResourceOutcome> {
  if (event.RequestType === 'Delete') {
    return { status: 'SUCCESS', reason: 'The topics are kept: their records belong to the cluster' }
  }
  const specs = topicSpecsOf(event.ResourceProperties as Partial<TopicsProperties>)
  const { brokers, ensureTopics } = deps()
  const changes = await ensureTopics(specs)
  // The same brokers the topics were just reached through, so the stack never hands out a dead list.
  const bootstrapBrokers = (await brokers()).join(',')
  logger.info('Topics ready', { ...changes, topics: specs.map((s) => s.topic), brokers: bootstrapBrokers })
  return {
    status: 'SUCCESS',
    reason: 'OK',
    data: {
      Created: changes.created.join(','),
      Extended: changes.extended.join(','),
      BootstrapBrokers: bootstrapBrokers,
    },
  }
}
