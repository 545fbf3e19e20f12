import { randomUUID } from 'node:crypto'
import type { Consumer, Kafka } from 'kafkajs'
import type { PipelineTopics, TopicOffsets } from '../ops/pipeline-status.js'
import { topicOf, topicRoles } from '../ops/pipeline-status.js'
import { deleteGroup } from '../ops/topic-reader.js'
import type { RecordBoard } from './records.js'
import { explainFailure } from './words.js'

/** How many of the latest records of the source and sink topics are read when reading begins. */
const TAIL = 15

/**
 * Reads the pipeline's topics into a RecordBoard as records arrive: the dead-letter and gave-up topics
 * from their start (they are counted), the source and sink topics from their last few records. One
 * consumer, in a group of its own that commits nothing and is deleted when it stops: it never moves the
 * processor's group, and writes nothing. Where it reads is the board's: joining again after an outage,
 * it seeks back there.
 */
export class RecordReader {
  readonly #kafka: Kafka
  readonly #topics: PipelineTopics
  readonly #board: RecordBoard
  readonly #groupId = `msk-lambda-stocks-console-${randomUUID()}`
  #consumer: Consumer | undefined
  #error: string | undefined
  #stopped = false
  #starting: Promise<void> = Promise.resolve()

  constructor(kafka: Kafka, topics: PipelineTopics, board: RecordBoard) {
    this.#kafka = kafka
    this.#topics = topics
    this.#board = board
  }

  /** The last failure that stopped it for good; undefined while it runs or restarts by itself. */
  get error(): string | undefined {
    return this.#error
  }

  get groupId(): string {
    return this.#groupId
  }

  /** Starts reading; `offsets` (every topic there) says where each partition starts. */
  start(offsets: TopicOffsets): Promise<void> {
    this.#starting = this.#start(offsets)
    return this.#starting
  }

  async #start(offsets: TopicOffsets): Promise<void> {
    const startAt = new Map<string, number>()
    for (const role of topicRoles(this.#topics)) {
      for (const p of offsets[role] ?? []) {
        const tail = role === 'source' || role === 'sink'
        startAt.set(
          `${topicOf(this.#topics, role)}:${p.partition}`,
          tail ? Math.max(p.first, p.end - TAIL) : p.first,
        )
      }
    }
    const consumer = this.#kafka.consumer({
      groupId: this.#groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    })
    this.#consumer = consumer
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) {
          const offset = this.#board.next(topic, partition) ?? startAt.get(`${topic}:${partition}`) ?? 0
          consumer.seek({ topic, partition, offset: String(offset) })
        }
      }
    })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.#error = explainFailure(payload.error).message
    })
    await consumer.connect()
    await consumer.subscribe({
      topics: topicRoles(this.#topics).map((role) => topicOf(this.#topics, role)),
      fromBeginning: true,
    })
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (!this.#stopped) this.#board.take(batch.topic, batch.partition, batch.messages)
      },
    })
  }

  /** Stops reading and deletes its group; whether the group is gone (false: the broker was away). */
  async stop(): Promise<boolean> {
    this.#stopped = true
    await this.#starting.catch(() => undefined)
    await this.#consumer?.disconnect().catch(() => undefined)
    return this.#consumer === undefined || deleteGroup(this.#kafka, this.#groupId)
  }
}
