import type { Admin, Kafka } from 'kafkajs'
import { TopicConfigurationError } from '../errors.js'

export interface TopicSpec {
  readonly topic: string
  readonly numPartitions: number
  /** -1: the cluster's default; any other value must match an existing topic's. */
  readonly replicationFactor: number
}

export interface TopicChanges {
  readonly created: string[]
  /** Existing topics that were given more partitions. */
  readonly extended: string[]
}

/**
 * Brings the topics to the shape asked for: creates the missing ones and adds partitions to those with
 * fewer. What Kafka cannot change in place (fewer partitions, another replication factor) is refused with
 * the reason before anything is changed; topics not asked for are left alone.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<TopicChanges> {
  const existing = new Set(await admin.listTopics())
  const missing = specs.filter((spec) => !existing.has(spec.topic))
  const present = specs.filter((spec) => existing.has(spec.topic))
  const metadata =
    present.length === 0
      ? []
      : (await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) })).topics
  const partitionsOf = new Map(metadata.map((topic) => [topic.name, topic.partitions]))

  const toExtend: TopicSpec[] = []
  for (const spec of present) {
    const partitions = partitionsOf.get(spec.topic) ?? []
    const replicas = partitions[0]?.replicas.length
    if (spec.replicationFactor > 0 && replicas !== undefined && replicas !== spec.replicationFactor) {
      throw new TopicConfigurationError(
        `topic ${spec.topic} has replication factor ${replicas}, not ${spec.replicationFactor}; ` +
          'Kafka does not change it in place (reassign its partitions, or keep the value)',
      )
    }
    if (partitions.length > spec.numPartitions) {
      throw new TopicConfigurationError(
        `topic ${spec.topic} has ${partitions.length} partitions; Kafka cannot reduce them to ${spec.numPartitions}`,
      )
    }
    if (partitions.length < spec.numPartitions) toExtend.push(spec)
  }

  if (missing.length > 0) {
    await admin.createTopics({ topics: missing.map((spec) => ({ ...spec })), waitForLeaders: true })
  }
  if (toExtend.length > 0) {
    await admin.createPartitions({
      topicPartitions: toExtend.map((spec) => ({ topic: spec.topic, count: spec.numPartitions })),
    })
  }
  return { created: missing.map((spec) => spec.topic), extended: toExtend.map((spec) => spec.topic) }
}

/** The same through an admin client of `kafka`, connected for the call. */
export async function ensureTopicsOn(kafka: Kafka, specs: readonly TopicSpec[]): Promise<TopicChanges> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await ensureTopics(admin, specs)
  } finally {
    await admin.disconnect()
  }
}

/** The original's shape: 2 partitions, the cluster's default replication. */
export const DEFAULT_PARTITIONS = 2
export const DEFAULT_REPLICATION_FACTOR = -1

export function topicSpecs(
  topics: readonly string[],
  numPartitions = DEFAULT_PARTITIONS,
  replicationFactor = DEFAULT_REPLICATION_FACTOR,
): TopicSpec[] {
  return topics.map((topic) => ({ topic, numPartitions, replicationFactor }))
}
