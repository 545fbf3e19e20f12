import type { MessageSink, PartitionDelivery, TopicMessages } from '../../lib/kafka/sink.js'

/**
 * An in-memory MessageSink for unit tests of the pure processing steps. It stands in for the project's
 * own interface, never for kafkajs: Kafka behaviour is tested against the real broker.
 */
export class MemorySink implements MessageSink {
  readonly sent: TopicMessages[][] = []
  closed = 0
  failNext: Error | undefined
  /** Fails every send for which this returns an error. */
  failWhen: ((batches: readonly TopicMessages[]) => Error | undefined) | undefined

  async send(batches: readonly TopicMessages[]): Promise<PartitionDelivery[]> {
    if (this.failNext !== undefined) {
      const error = this.failNext
      this.failNext = undefined
      throw error
    }
    const failure = this.failWhen?.(batches)
    if (failure !== undefined) throw failure
    this.sent.push([...batches])
    return batches
      .filter((batch) => batch.messages.length > 0)
      .map((batch) => ({ topic: batch.topic, partition: 0, count: batch.messages.length }))
  }

  async close(): Promise<void> {
    this.closed++
  }

  messagesFor(topic: string) {
    return this.sent
      .flat()
      .filter((batch) => batch.topic === topic)
      .flatMap((batch) => batch.messages)
  }
}
