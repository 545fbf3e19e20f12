import { randomUUID } from 'node:crypto'
import type { Kafka, KafkaMessage } from 'kafkajs'
import type { MskRecord } from '../../lib/msk/event.js'
import { toMskRecord } from '../local/msk-event.js'

export interface ReadOptions {
  readonly kafka: Kafka
  readonly topic: string
  /**
   * A consumer group whose committed offsets say where to start and take each batch's end once `onBatch`
   * resolved: a run that stops halfway resumes where it was. Without one, the topic is read from its start
   * and nothing is committed.
   */
  readonly groupId?: string
  /**
   * Handles one partition's messages, in offset order; they are committed only once this resolves. It may
   * resolve with how many it took (the first N): the rest stay for the next run, and reading stops.
   */
  readonly onBatch: (partition: number, messages: readonly KafkaMessage[]) => Promise<number | undefined>
  /** false: read and hand over, commit nothing (a dry run). */
  readonly commit?: boolean
  /** The most messages handed over (and so repeated after a crash) at once; 500 when not given. */
  readonly chunk?: number
  /** Without a group: read only these ranges (offsets `from` up to, not including, `to`). */
  readonly ranges?: readonly PartitionRange[]
}

export interface PartitionRange {
  readonly partition: number
  /** Where reading starts: the group's committed offset, or the partition's first. */
  readonly from: number
  /** The partition's end offset when reading started: later records are left for the next run. */
  readonly to: number
}

/**
 * Reads a topic up to the end it had when reading started, then stops: what tools that work through a
 * backlog (replay, redrive, status) need. Returns the ranges it read.
 */
export async function readToEnd(options: ReadOptions): Promise<PartitionRange[]> {
  const { kafka, topic } = options
  const groupId = options.groupId ?? `msk-lambda-stocks-reader-${randomUUID()}`
  const commit = options.groupId !== undefined && options.commit !== false
  const admin = kafka.admin()
  await admin.connect()
  let ranges: PartitionRange[]
  try {
    const ends = await admin.fetchTopicOffsets(topic)
    const [committed] =
      options.groupId === undefined ? [] : await admin.fetchOffsets({ groupId, topics: [topic] })
    const explicit = options.groupId === undefined ? options.ranges : undefined
    const highOf = (partition: number) => Number(ends.find((e) => e.partition === partition)?.high ?? 0)
    ranges =
      explicit?.map((range) => ({ ...range, to: Math.min(range.to, highOf(range.partition)) })) ??
      ends.map((end) => {
        const from = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1)
        return {
          partition: end.partition,
          from: from < 0 ? Number(end.low) : Math.max(from, Number(end.low)),
          to: Number(end.high),
        }
      })
  } finally {
    await admin.disconnect()
  }
  const remaining = new Map(ranges.filter((r) => r.from < r.to).map((r) => [r.partition, r]))
  if (remaining.size === 0) return ranges

  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 })
  let finish: () => void = () => undefined
  let fail: (error: unknown) => void = () => undefined
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve
    fail = reject
  })
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) fail(payload.error)
    })
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const range = remaining.get(batch.partition)
        if (range === undefined || isStale() || !isRunning()) return
        const messages = batch.messages.filter(
          (m) => Number(m.offset) >= range.from && Number(m.offset) < range.to,
        )
        const chunk = options.chunk ?? 500
        for (let start = 0; start < messages.length; start += chunk) {
          const part = messages.slice(start, start + chunk)
          let taken = part.length
          try {
            taken = (await options.onBatch(batch.partition, part)) ?? part.length
          } catch (error) {
            fail(error)
            throw error
          }
          const lastTaken = part[taken - 1]
          if (lastTaken !== undefined) {
            resolveOffset(lastTaken.offset)
            if (commit) {
              await consumer.commitOffsets([
                { topic, partition: batch.partition, offset: String(Number(lastTaken.offset) + 1) },
              ])
            }
          }
          await heartbeat()
          if (taken < part.length) {
            finish()
            return
          }
          if (!isRunning() || isStale()) return
        }
        const last = messages[messages.length - 1] ?? batch.messages[batch.messages.length - 1]
        if (last === undefined) return
        resolveOffset(last.offset)
        const next = Number(last.offset) + 1
        if (commit)
          await consumer.commitOffsets([
            { topic, partition: batch.partition, offset: String(Math.min(next, range.to)) },
          ])
        await heartbeat()
        if (next >= range.to) {
          remaining.delete(batch.partition)
          if (remaining.size === 0) finish()
        }
      },
    })
    // Without a group, start each partition at its first offset of the range.
    if (options.groupId === undefined) {
      for (const range of remaining.values())
        consumer.seek({ topic, partition: range.partition, offset: String(range.from) })
    }
    await finished
  } finally {
    await consumer.disconnect()
    if (options.groupId === undefined) await deleteGroup(kafka, groupId)
  }
  return ranges
}

/** Deletes a throwaway consumer group once its consumer left; one already gone is fine. */
/** Deletes a consumer group; whether it is gone (deleted now, or not there): false when the broker is away. */
export async function deleteGroup(kafka: Kafka, groupId: string): Promise<boolean> {
  const admin = kafka.admin()
  try {
    await admin.connect()
    await admin.deleteGroups([groupId])
    return true
  } catch (error) {
    // Gone already counts as gone; any other failure leaves it for a later try (an empty group without
    // offsets also expires by itself).
    const groups = (error as { groups?: { error?: { type?: string } }[] }).groups ?? []
    return groups.length > 0 && groups.every((group) => group.error?.type === 'GROUP_ID_NOT_FOUND')
  } finally {
    await admin.disconnect()
  }
}

/** The records of these ranges of a topic (`from` up to, not including, `to`), as Lambda would send them. */
export async function fetchRecords(
  kafka: Kafka,
  topic: string,
  ranges: readonly PartitionRange[],
): Promise<MskRecord[]> {
  const records: MskRecord[] = []
  await readToEnd({
    kafka,
    topic,
    ranges,
    onBatch: async (partition, messages) => {
      for (const message of messages) records.push(toMskRecord(topic, partition, message))
      return undefined
    },
  })
  return records
}
