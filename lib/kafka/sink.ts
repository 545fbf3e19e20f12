/**
 * The one thing the functions need from Kafka: send records and learn, once the brokers have acknowledged
 * them, how many landed on which partition. Kept this small so the client library can be swapped.
 */
export interface OutgoingHeader {
  readonly key: string
  readonly value: Buffer | string
}

export interface OutgoingMessage {
  readonly key: Buffer | string | null
  readonly value: Buffer | string | null
  readonly headers?: readonly OutgoingHeader[]
}

export interface TopicMessages {
  readonly topic: string
  readonly messages: readonly OutgoingMessage[]
}

export interface PartitionDelivery {
  readonly topic: string
  readonly partition: number
  readonly count: number
}

export interface MessageSink {
  /** Resolves when every message is acknowledged by all in-sync replicas; rejects if any is not. */
  send(batches: readonly TopicMessages[]): Promise<PartitionDelivery[]>
  /** Disconnects; a later `send` connects again. */
  close(): Promise<void>
}

export function countMessages(batches: readonly TopicMessages[]): number {
  return batches.reduce((sum, batch) => sum + batch.messages.length, 0)
}
