import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs'
import type { Kafka, Producer } from 'kafkajs'
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from '../../lib/kafka/record-size.js'
import { requestBytesFor, splitIntoRequests } from '../../lib/kafka/requests.js'
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

/**
 * `kafka://TOPIC`: the failed records themselves, one message each, keyed as they were, in requests no
 * larger than a batch the topic takes (`maxMessageBytes`), so that many records given up on at once are
 * never refused together.
 */
export class KafkaTopicDestination implements OnFailureDestination {
  readonly #kafka: Kafka
  readonly #topic: string
  readonly #maxMessageBytes: number
  #producer: Producer | undefined

  constructor(kafka: Kafka, topic: string, maxMessageBytes = KAFKA_DEFAULT_MAX_MESSAGE_BYTES) {
    this.#kafka = kafka
    this.#topic = topic
    this.#maxMessageBytes = maxMessageBytes
  }

  async write(records: readonly MskRecord[], failure: InvocationFailure, source: KafkaBatchSource) {
    if (this.#producer === undefined) {
      const producer = this.#kafka.producer({ allowAutoTopicCreation: false })
      await producer.connect()
      this.#producer = producer
    }
    const messages = kafkaDestinationMessages(records, failure, source)
    for (const request of splitIntoRequests(
      [{ topic: this.#topic, messages }],
      requestBytesFor(this.#maxMessageBytes),
    )) {
      await this.#producer.sendBatch({ topicMessages: request, acks: -1 })
    }
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
