import kafkajs, { type Admin, type Kafka } from 'kafkajs'
import { TopicConfigurationError } from '../errors.js'

export interface TopicSpec {
  readonly topic: string
  readonly numPartitions: number
  /** -1: the cluster's default; any other value must match an existing topic's. */
  readonly replicationFactor: number
  /**
   * The largest record batch the topic takes (`max.message.bytes`): set on a topic this creates; an
   * existing topic that takes less is refused, since the functions write records up to this size.
   */
  readonly maxMessageBytes?: number
}

export interface TopicChanges {
  readonly created: string[]
  /** Existing topics that were given more partitions. */
  readonly extended: string[]
}

const MAX_MESSAGE_BYTES = 'max.message.bytes'
// kafkajs is CommonJS: Node's ESM loader finds none of its named exports but the types.
const { ConfigResourceTypes } = kafkajs

/** Existing topics that take smaller record batches than asked for, each with what it takes. */
async function tooSmall(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  const asked = specs.filter((spec) => spec.maxMessageBytes !== undefined)
  if (asked.length === 0) return []
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: asked.map((spec) => ({
      type: ConfigResourceTypes.TOPIC,
      name: spec.topic,
      configNames: [MAX_MESSAGE_BYTES],
    })),
  })
  return asked.flatMap((spec) => {
    const entry = resources
      .find((resource) => resource.resourceName === spec.topic)
      ?.configEntries.find((config) => config.configName === MAX_MESSAGE_BYTES)
    const takes = Number(entry?.configValue)
    return Number.isFinite(takes) && takes < (spec.maxMessageBytes ?? 0) ? [`${spec.topic} (${takes})`] : []
  })
}

/**
 * Brings the topics to the shape asked for: creates the missing ones and adds partitions to those with
 * fewer. What Kafka cannot change in place (fewer partitions, another replication factor), and a topic
 * that takes smaller records than the functions write, are refused with the reason before anything is
 * changed; topics not asked for are left alone.
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
  const small = await tooSmall(admin, present)
  if (small.length > 0) {
    throw new TopicConfigurationError(
      `topics ${small.join(', ')} take smaller record batches (max.message.bytes) than the functions ` +
        `write (${present[0]?.maxMessageBytes}): raise their max.message.bytes, or lower the ` +
        'maxMessageBytes param to match',
    )
  }

  if (missing.length > 0) {
    await admin.createTopics({
      topics: missing.map(({ topic, numPartitions, replicationFactor, maxMessageBytes }) => ({
        topic,
        numPartitions,
        replicationFactor,
        ...(maxMessageBytes === undefined
          ? {}
          : { configEntries: [{ name: MAX_MESSAGE_BYTES, value: String(maxMessageBytes) }] }),
      })),
      waitForLeaders: true,
    })
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

/** The same shape for each topic: the original's 2 partitions and the cluster's replication unless given. */
export function topicSpecs(
  topics: readonly string[],
  shape: Partial<Omit<TopicSpec, 'topic'>> = {},
): TopicSpec[] {
  const { numPartitions = DEFAULT_PARTITIONS, replicationFactor = DEFAULT_REPLICATION_FACTOR } = shape
  return topics.map((topic) => ({
    topic,
    numPartitions,
    replicationFactor,
    ...(shape.maxMessageBytes === undefined ? {} : { maxMessageBytes: shape.maxMessageBytes }),
  }))
}
