import type { MessageSink, OutgoingMessage, PartitionDelivery } from '../kafka/sink.js'
import { log } from '../log.js'
import { assertMskEvent, recordsOf } from '../msk/event.js'
import { transformRecord } from './transform.js'

export interface ProcessorDeps {
  readonly sink: MessageSink
  readonly sinkTopic: string
  readonly deadLetterTopic: string
  readonly now?: () => number
}

export interface ProcessSummary {
  readonly records: number
  readonly written: number
  readonly deadLettered: number
  readonly deliveries: PartitionDelivery[]
}

/**
 * Processes one MSK event: every record is either written to the sink topic or dead-lettered, and the
 * promise resolves only when the brokers have acknowledged all of them. Any send failure rejects, so the
 * invocation fails and Lambda retries the whole batch (at-least-once). Records go out in event order, and
 * one ticker always maps to one sink partition, so each ticker's order within a source partition holds.
 */
export async function processMskEvent(event: unknown, deps: ProcessorDeps): Promise<ProcessSummary> {
  assertMskEvent(event)
  const deadLetteredAt = (deps.now ?? Date.now)()
  const sinkMessages: OutgoingMessage[] = []
  const deadLetters: OutgoingMessage[] = []
  for (const record of recordsOf(event)) {
    const outcome = transformRecord(record, deadLetteredAt)
    if (outcome.kind === 'sink') {
      sinkMessages.push(outcome.message)
    } else {
      deadLetters.push(outcome.message)
      log.warn('Record dead-lettered', {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        reason: outcome.reason,
        detail: outcome.detail,
      })
    }
  }
  const deliveries = await deps.sink.send([
    { topic: deps.sinkTopic, messages: sinkMessages },
    { topic: deps.deadLetterTopic, messages: deadLetters },
  ])
  return {
    records: sinkMessages.length + deadLetters.length,
    written: sinkMessages.length,
    deadLettered: deadLetters.length,
    deliveries,
  }
}
