import { randomUUID } from 'node:crypto'
import type { Admin, IHeaders, Kafka } from 'kafkajs'
import type { ProcessorConfig } from '../../lib/config.js'
import { DEAD_LETTER_HEADERS } from '../../lib/processor/dead-letter.js'
import type { StageSettings } from '../local/stage-env.js'
import { deleteGroup, readToEnd } from './topic-reader.js'

/**
 * What the pipeline holds and how far the processor is, read one way for every tool that shows it
 * (`npm run status`, the console): per partition, first and end offsets; on the source topic, the
 * processor group's committed offsets and lag; dead letters labelled by reason, what the mapping gave up
 * on by condition. Reads only: admin offset requests, and consumers of throwaway groups that commit
 * nothing.
 */

/** The pipeline's topics by role, and the group whose progress on the source topic is the lag. */
export interface PipelineTopics {
  readonly source: string
  readonly sink: string
  readonly deadLetters: string
  /** The mapping's Kafka on-failure destination; undefined when it records elsewhere or nowhere. */
  readonly gaveUp: string | undefined
  readonly consumerGroupId: string
}

export type TopicRole = 'source' | 'sink' | 'deadLetters' | 'gaveUp'

export function pipelineTopics(stage: StageSettings, processor: ProcessorConfig): PipelineTopics {
  return {
    source: stage.mapping.topic,
    sink: processor.sinkTopic,
    deadLetters: processor.deadLetterTopic,
    gaveUp: stage.mapping.gaveUpTopic,
    consumerGroupId: stage.mapping.consumerGroupId,
  }
}

/** The roles of the topics a stage has, in the order the tools list them. */
export function topicRoles(topics: PipelineTopics): TopicRole[] {
  return topics.gaveUp === undefined
    ? ['source', 'sink', 'deadLetters']
    : ['source', 'sink', 'deadLetters', 'gaveUp']
}

export function topicOf(topics: PipelineTopics, role: TopicRole): string {
  return (role === 'gaveUp' ? topics.gaveUp : topics[role]) ?? ''
}

export interface PartitionOffsets {
  readonly partition: number
  /** The first offset still held (retention may have deleted those before it). */
  readonly first: number
  /** The offset the next record will get: how many records the partition was ever written. */
  readonly end: number
  /** Only on the source topic: the processor group's committed offset, null when it committed none. */
  readonly committed?: number | null
  /** Only on the source topic: records the processor group has still to take. */
  readonly lag?: number
}

/**
 * The processor group's position on one partition: the committed offset (kafkajs reports -1 when there is
 * none) and the lag, counted from the first offset held when nothing is committed, as the group would
 * start there.
 */
export function groupPosition(
  first: number,
  end: number,
  committedOffset: number,
): { committed: number | null; lag: number } {
  return {
    committed: committedOffset < 0 ? null : committedOffset,
    lag: end - (committedOffset < 0 ? first : committedOffset),
  }
}

/** The partitions of a topic in partition order, null when there is no such topic. */
export type TopicOffsets = Record<TopicRole, readonly PartitionOffsets[] | null>

/**
 * End offsets of every topic of the pipeline and the processor group's committed offsets and lag on the
 * source topic: admin requests only. A topic that does not exist (yet) is null.
 */
export async function readPipelineOffsets(
  admin: Admin,
  topics: PipelineTopics,
): Promise<Partial<TopicOffsets>> {
  const existing = new Set(await admin.listTopics())
  const result: Partial<TopicOffsets> = {}
  for (const role of topicRoles(topics)) {
    const topic = topicOf(topics, role)
    result[role] = existing.has(topic)
      ? await readTopicOffsets(admin, topic, role === 'source' ? topics.consumerGroupId : undefined)
      : null
  }
  return result
}

async function readTopicOffsets(admin: Admin, topic: string, groupId?: string): Promise<PartitionOffsets[]> {
  const ends = await admin.fetchTopicOffsets(topic)
  const [committed] = groupId === undefined ? [] : await admin.fetchOffsets({ groupId, topics: [topic] })
  return ends
    .map((o) => ({ partition: o.partition, first: Number(o.low), end: Number(o.high) }))
    .sort((a, b) => a.partition - b.partition)
    .map((offsets) => {
      if (groupId === undefined) return offsets
      const offset = Number(
        committed?.partitions.find((p) => p.partition === offsets.partition)?.offset ?? -1,
      )
      return { ...offsets, ...groupPosition(offsets.first, offsets.end, offset) }
    })
}

/** The reason a dead letter was dead-lettered, from its `dlq.reason` header. */
export function deadLetterReason(headers: IHeaders | undefined): string {
  return String(headers?.[DEAD_LETTER_HEADERS.reason] ?? 'unknown')
}

/** Why the mapping gave up on a record, from the envelope of its Kafka on-failure destination. */
export function gaveUpCondition(value: Buffer | null): string {
  try {
    return String(JSON.parse(value?.toString() ?? '').requestContext?.condition ?? 'unknown')
  } catch {
    return 'unreadable'
  }
}

/** Adds one to a label's count. */
export function countInto(counts: Record<string, number>, label: string): void {
  counts[label] = (counts[label] ?? 0) + 1
}

/** Reads a whole topic as it is now and counts its records by label. */
export async function countRecords(
  kafka: Kafka,
  topic: string,
  label: (value: Buffer | null, headers: IHeaders) => string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  await readToEnd({
    kafka,
    topic,
    onBatch: async (_partition, messages) => {
      for (const message of messages) countInto(counts, label(message.value, message.headers ?? {}))
      return undefined
    },
  })
  return counts
}

/**
 * The time of the last record of each partition that has one, read from a throwaway group that commits
 * nothing and is deleted afterwards; partitions not read within 10 s are left out.
 */
export async function lastRecordTimes(
  kafka: Kafka,
  topic: string,
  partitions: readonly PartitionOffsets[],
): Promise<Map<number, string>> {
  const times = new Map<number, string>()
  const wanted = partitions.filter((p) => p.end > p.first)
  if (wanted.length === 0) return times
  const groupId = `msk-lambda-stocks-status-${randomUUID()}`
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, allowAutoTopicCreation: false })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const last = batch.messages[batch.messages.length - 1]
          if (last !== undefined && !times.has(batch.partition))
            times.set(batch.partition, new Date(Number(last.timestamp)).toISOString())
          if (times.size === wanted.length) resolve()
        },
      })
    })
    for (const p of wanted) consumer.seek({ topic, partition: p.partition, offset: String(p.end - 1) })
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
  } finally {
    await consumer.disconnect()
    await deleteGroup(kafka, groupId)
  }
  return times
}
