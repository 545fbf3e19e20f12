import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs'
import type { Kafka, Producer } from 'kafkajs'
import type { MskRecord } from '../../lib/msk/event.js'
import {
  type InvocationFailure,
  type KafkaBatchSource,
  kafkaDestinationMessages,
  sqsDestinationRecord,
} from '../../lib/ops/on-failure-record.js'

/** Where the local mapping records what it gave up on, as the stage's DestinationConfig.OnFailure. */
export interface OnFailureDestination {
  /** Resolves once the destination has the records; rejects if it could not take them. */
  write(records: readonly MskRecord[], failure: InvocationFailure, source: KafkaBatchSource): Promise<void>
  close(): Promise<void>
}

/** `kafka://TOPIC`: the failed records themselves, one message each, keyed as they were. */
export class KafkaTopicDestination implements OnFailureDestination {
  readonly #kafka: Kafka
  readonly #topic: string
  #producer: Producer | undefined

  constructor(kafka: Kafka, topic: string) {
    this.#kafka = kafka
    this.#topic = topic
  }

  async write(records: readonly MskRecord[], failure: InvocationFailure, source: KafkaBatchSource) {
    if (this.#producer === undefined) {
      const producer = this.#kafka.producer({ allowAutoTopicCreation: false })
      await producer.connect()
      this.#producer = producer
    }
    await this.#producer.send({
      topic: this.#topic,
      acks: -1,
      messages: kafkaDestinationMessages(records, failure, source),
    })
  }

  async close(): Promise<void> {
    await this.#producer?.disconnect()
    this.#producer = undefined
  }
}

/** An SQS queue: one message per batch given up on, with where its records are (not the records). */
export class SqsQueueDestination implements OnFailureDestination {
  readonly #client: SQSClient
  readonly #queueUrl: string

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client
    this.#queueUrl = queueUrl
  }

  async write(records: readonly MskRecord[], failure: InvocationFailure, source: KafkaBatchSource) {
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: JSON.stringify(sqsDestinationRecord(records, failure, source)),
      }),
    )
  }

  async close(): Promise<void> {
    this.#client.destroy()
  }
}
