import type { IHeaders, Kafka, Message, Producer } from 'kafkajs'
import type { KafkaConnectionConfig } from '../config.js'
import { asError, KafkaDeliveryError, KafkaUnavailableError } from '../errors.js'
import { logger } from '../log.js'
import { withTimeout } from '../timeout.js'
import { createKafka } from './client.js'
import { type BrokerResolver, configuredBrokers } from './configured-brokers.js'
import { rememberingDefaultPartitioner } from './key-partitioner.js'
import { requestBytesFor, splitIntoRequests } from './requests.js'
import {
  countMessages,
  type MessageSink,
  type OutgoingMessage,
  type PartitionDelivery,
  type TopicMessages,
} from './sink.js'

/**
 * The partition kafkajs chose for a message, written by the partitioner on every attempt and read once
 * the brokers acknowledged it. A slot on the message itself: no lookup table, nothing for GC to track.
 */
const PARTITION = Symbol('partition')
type TrackedMessage = Message & { [PARTITION]: number }

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/

/** kafkajs's header shape: one value per key, or an array for a key that repeats. */
function headersOf(message: OutgoingMessage): IHeaders | undefined {
  if (message.headers === undefined || message.headers.length === 0) return undefined
  const headers: Record<string, Buffer | string | (Buffer | string)[]> = {}
  for (const { key, value } of message.headers) {
    const seen = headers[key]
    if (seen === undefined) headers[key] = value
    else if (Array.isArray(seen)) seen.push(value)
    else headers[key] = [seen, value]
  }
  return headers
}

function someCause(error: unknown, test: (error: Error) => boolean): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (test(e)) return true
  return false
}

/** kafkajs reports a missing topic as this protocol error, possibly wrapped in a retry error. */
const isUnknownTopic = (error: unknown) =>
  someCause(error, (e) => (e as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION')

/**
 * The brokers answered (they refused the credentials, or a request in the SASL exchange): no use
 * suggesting the broker is down.
 */
const brokersAnswered = (error: unknown) =>
  someCause(
    error,
    (e) =>
      e.name === 'MskIamAuthenticationError' ||
      e.name === 'KafkaJSSASLAuthenticationError' ||
      e.name === 'KafkaJSProtocolError',
  )

async function unreachableHint(brokers: BrokerResolver): Promise<string> {
  const list = await brokers().catch(() => [])
  if (list.length > 0 && list.every((broker) => LOOPBACK.test(broker))) {
    return ` Is the local broker running? Start it with \`npm run kafka:start\` (brokers: ${list.join(',')}).`
  }
  return list.length > 0 ? ` (brokers: ${list.join(',')})` : ''
}

export interface KafkajsSinkOptions {
  /** Where the brokers come from; by default the configured list (KAFKA_BOOTSTRAP_SERVERS). */
  readonly brokers?: BrokerResolver
  /** Signs MSK IAM tokens; by default with the function role's credentials from the environment. */
  readonly iamToken?: () => Promise<string>
}

/**
 * A MessageSink over kafkajs idempotent producers, one per send under way. It connects on first use and is
 * meant to live at module scope, so warm invocations reuse the connections.
 *
 * Sends under way at once never share a producer: an idempotent producer numbers its batches per
 * partition, and after a send fails kafkajs winds those numbers back for every partition of the failed
 * request, even ones the broker wrote. A later batch on the same producer would then either be refused
 * (OUT_OF_ORDER_SEQUENCE_NUMBER) or, with the same count, taken by the broker for a retry of the batch it
 * already has and acknowledged without being written. So a producer that failed a send is thrown away,
 * and the next send connects a fresh one: one source partition's failure never reaches another's send,
 * and a broken connection never poisons later invocations.
 */
export class KafkajsSink implements MessageSink {
  readonly #kafka: Kafka
  readonly #brokers: BrokerResolver
  readonly #config: KafkaConnectionConfig
  /** Connected producers no send is using. */
  #idle: Producer[] = []
  /** Every producer connected or connecting, for close. */
  readonly #open = new Set<Producer>()
  /** Sends waiting for a producer while KAFKA_MAX_PRODUCERS are busy. */
  readonly #waiting: (() => void)[] = []

  constructor(config: KafkaConnectionConfig, options: KafkajsSinkOptions = {}) {
    this.#config = config
    this.#brokers = options.brokers ?? configuredBrokers(config)
    this.#kafka = createKafka(config, this.#brokers, options.iamToken)
  }

  async send(batches: readonly TopicMessages[]): Promise<PartitionDelivery[]> {
    const count = countMessages(batches)
    if (count === 0) return []
    const producer = await this.#take()
    const topicMessages = batches.map(({ topic, messages }) => ({
      topic,
      messages: messages.map(
        (message): TrackedMessage => ({
          key: message.key,
          value: message.value,
          headers: headersOf(message),
          [PARTITION]: -1,
        }),
      ),
    }))
    try {
      await withTimeout(
        this.#sendInRequests(producer, topicMessages),
        this.#config.sendTimeoutMs,
        `Sending ${count} records`,
      )
    } catch (error) {
      await this.#discard(producer)
      const topics = batches.map((batch) => batch.topic).join(', ')
      const hint = isUnknownTopic(error)
        ? ' Do the topics exist? Create them with `npm run kafka:topics` (see the deploy guide for MSK).'
        : ''
      throw new KafkaDeliveryError(
        `Kafka did not acknowledge ${count} records to ${topics}: ${asError(error).message}.${hint}`,
        { cause: error },
      )
    }
    this.#release(producer)
    return this.#deliveries(topicMessages)
  }

  /**
   * kafkajs puts all of one request's messages for a partition into a single record batch, and brokers
   * refuse a batch over the topic's `max.message.bytes` (1 MB by default, on MSK too): a 10,000-record
   * event would be refused whole. So the messages go in consecutive requests no larger than a batch the
   * topics take (KAFKA_MAX_MESSAGE_BYTES), one after the other, which keeps their order.
   */
  async #sendInRequests(
    producer: Producer,
    topicMessages: readonly { topic: string; messages: Message[] }[],
  ) {
    for (const request of splitIntoRequests(topicMessages, requestBytesFor(this.#config.maxMessageBytes))) {
      await producer.sendBatch({ topicMessages: request, acks: -1, timeout: this.#config.requestTimeoutMs })
    }
  }

  /** Disconnects every producer; a later `send` connects again. */
  async close(): Promise<void> {
    this.#idle = []
    await Promise.all([...this.#open].map((producer) => this.#discard(producer)))
  }

  /** An idle producer, or a new one when every producer is busy and there may be more. */
  async #take(): Promise<Producer> {
    while (this.#idle.length === 0 && this.#open.size >= this.#config.maxProducers) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
    }
    return this.#idle.pop() ?? this.#connect()
  }

  /** Back to the idle ones, unless it was closed meanwhile; a waiting send may take it. */
  #release(producer: Producer): void {
    if (this.#open.has(producer)) this.#idle.push(producer)
    this.#waiting.shift()?.()
  }

  async #connect(): Promise<Producer> {
    const producer = this.#kafka.producer({
      idempotent: true,
      // One request in flight per broker keeps retried batches in order.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: () => {
        const choose = rememberingDefaultPartitioner()
        return (args) => {
          const partition = choose(args)
          ;(args.message as TrackedMessage)[PARTITION] = partition
          return partition
        }
      },
    })
    this.#open.add(producer)
    // kafkajs retries the connect itself; the same bound as a send also covers a broker that accepts but
    // never answers, so connect plus send stay under twice KAFKA_SEND_TIMEOUT_MS.
    try {
      await withTimeout(producer.connect(), this.#config.sendTimeoutMs, 'Connecting to Kafka')
      return producer
    } catch (error) {
      this.#open.delete(producer)
      this.#waiting.shift()?.()
      await producer.disconnect().catch(() => undefined)
      throw new KafkaUnavailableError(
        `Cannot connect to Kafka: ${asError(error).message}.${
          brokersAnswered(error) ? '' : await unreachableHint(this.#brokers)
        }`,
        { cause: error },
      )
    }
  }

  async #discard(producer: Producer): Promise<void> {
    this.#open.delete(producer)
    this.#waiting.shift()?.()
    try {
      await withTimeout(producer.disconnect(), 5_000, 'Disconnecting from Kafka')
    } catch (error) {
      logger.warn('Kafka producer did not disconnect cleanly', { error })
    }
  }

  #deliveries(
    topicMessages: readonly { topic: string; messages: readonly TrackedMessage[] }[],
  ): PartitionDelivery[] {
    const counts = new Map<string, number[]>()
    for (const { topic, messages } of topicMessages) {
      const perPartition = counts.get(topic) ?? []
      counts.set(topic, perPartition)
      for (const message of messages) {
        const partition = message[PARTITION]
        perPartition[partition] = (perPartition[partition] ?? 0) + 1
      }
    }
    const deliveries: PartitionDelivery[] = []
    for (const topic of [...counts.keys()].sort()) {
      for (const [partition, count] of (counts.get(topic) ?? []).entries()) {
        if (count !== undefined) deliveries.push({ topic, partition, count })
      }
    }
    return deliveries
  }
}
