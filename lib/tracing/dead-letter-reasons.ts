import type { MessageSink, OutgoingHeader, PartitionDelivery, TopicMessages } from '../kafka/sink.js'
import { DEAD_LETTER_HEADERS } from '../processor/dead-letter.js'

function headerText(headers: readonly OutgoingHeader[] | undefined, key: string): string | undefined {
  const header = headers?.find((one) => one.key === key)
  return header === undefined ? undefined : String(header.value)
}

/**
 * A sink that notes, from the headers the processor puts on each dead letter, why each source partition's
 * records were dead-lettered, then sends as the sink it wraps. Only the dead-letter topic's messages are
 * read, and only while an invocation is traced.
 */
export class DeadLetterReasons implements MessageSink {
  readonly #sink: MessageSink
  readonly #topic: string
  /** `topic-partition` -> reason -> records. */
  readonly #reasons = new Map<string, Map<string, number>>()

  constructor(sink: MessageSink, deadLetterTopic: string) {
    this.#sink = sink
    this.#topic = deadLetterTopic
  }

  send(batches: readonly TopicMessages[]): Promise<PartitionDelivery[]> {
    for (const { topic, messages } of batches) {
      if (topic !== this.#topic) continue
      for (const { headers } of messages) {
        const source = `${headerText(headers, DEAD_LETTER_HEADERS.topic)}-${headerText(headers, DEAD_LETTER_HEADERS.partition)}`
        const reason = headerText(headers, DEAD_LETTER_HEADERS.reason) ?? 'unknown'
        const counts = this.#reasons.get(source) ?? new Map<string, number>()
        counts.set(reason, (counts.get(reason) ?? 0) + 1)
        this.#reasons.set(source, counts)
      }
    }
    return this.#sink.send(batches)
  }

  close(): Promise<void> {
    return this.#sink.close()
  }

  /** Reason -> records dead-lettered for it, for one source partition (`topic-partition`). */
  of(partition: string): ReadonlyMap<string, number> {
    return this.#reasons.get(partition) ?? new Map()
  }
}
