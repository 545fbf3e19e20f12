import { setTimeout as sleep } from 'node:timers/promises'
import { asError, KafkaDeliveryError } from '../errors.js'
import type { MessageSink, OutgoingHeader, OutgoingMessage, PartitionDelivery } from '../kafka/sink.js'
import { logger } from '../log.js'
import { generateStockBatch } from '../stocks/generate.js'
import { type Stock, stockJson, tickerKey } from '../stocks/stock.js'

export interface BatchToSend {
  readonly topic: string
  /** 1 for the invocation's first batch. */
  readonly number: number
  readonly records: number
}

/** What became of a batch, told to its trace: the brokers' acknowledgement, or why it failed. */
export type BatchOutcome = { readonly deliveries: readonly PartitionDelivery[] } | { readonly error: unknown }

/**
 * A batch's trace, when the invocation is traced (lib/tracing/producer-spans.ts): the headers that carry
 * its context on each of its records, and where its outcome goes. The one hook into the producer, kept
 * because a batch's records must carry the context of its span (the messaging conventions: the send
 * span's context, when there is no span per message), which exists only once the span has started: it
 * cannot be recorded afterwards from the summary, as the processor's spans are. It never runs the send.
 */
export interface BatchTrace {
  readonly headers: readonly OutgoingHeader[]
  end(outcome: BatchOutcome): void
}

export interface ProducerDeps {
  readonly sink: MessageSink
  readonly sourceTopic: string
  readonly batchesPerInvocation: number
  readonly batchIntervalMs: number
  /** Time a send may take; a batch is only started when this much time is left in the invocation. */
  readonly sendBudgetMs: number
  readonly remainingTimeMs: () => number
  readonly now?: () => number
  /** Microseconds since the epoch, for each record's event time. */
  readonly clock?: () => number
  readonly random?: () => number
  readonly wait?: (ms: number) => Promise<unknown>
  /** Given when tracing is on (lib/tracing/producer-spans.ts); otherwise records carry no headers. */
  readonly traceBatch?: (batch: BatchToSend) => BatchTrace
}

export interface ProduceSummary {
  readonly batchesSent: number
  /** Batches not started because they would not have finished before the function's timeout. */
  readonly batchesSkipped: number
  readonly recordsSent: number
  /** Records per partition, keyed `topic-partition` like an MSK event's records. */
  readonly partitions: Record<string, number>
}

function addDeliveries(partitions: Record<string, number>, deliveries: readonly PartitionDelivery[]): void {
  for (const { topic, partition, count } of deliveries) {
    const id = `${topic}-${partition}`
    partitions[id] = (partitions[id] ?? 0) + count
  }
}

function toMessage(stock: Stock, headers: readonly OutgoingHeader[] | undefined): OutgoingMessage {
  const message = { key: tickerKey(stock.ticker), value: stockJson(stock) }
  return headers === undefined ? message : { ...message, headers }
}

/**
 * Sends `batchesPerInvocation` batches of stock records, one every `batchIntervalMs`, so a once-a-minute
 * schedule reproduces the original's batch every few seconds. A failed send fails the invocation, and
 * the error says how much had already been sent.
 */
export async function produceStockBatches(deps: ProducerDeps): Promise<ProduceSummary> {
  const now = deps.now ?? Date.now
  const wait = deps.wait ?? sleep
  const startedAt = now()
  const partitions: Record<string, number> = {}
  let recordsSent = 0
  let batchesSent = 0

  for (let batch = 0; batch < deps.batchesPerInvocation; batch++) {
    const delayMs = Math.max(0, startedAt + batch * deps.batchIntervalMs - now())
    if (batch > 0 && deps.remainingTimeMs() < delayMs + deps.sendBudgetMs) {
      const batchesSkipped = deps.batchesPerInvocation - batch
      logger.warn('Skipping batches that would not finish before the function timeout', { batchesSkipped })
      return { batchesSent, batchesSkipped, recordsSent, partitions }
    }
    if (delayMs > 0) await wait(delayMs)

    const stocks = generateStockBatch(deps.clock, deps.random)
    const trace = deps.traceBatch?.({ topic: deps.sourceTopic, number: batch + 1, records: stocks.length })
    const messages = stocks.map((stock) => toMessage(stock, trace?.headers))
    let deliveries: PartitionDelivery[]
    try {
      deliveries = await deps.sink.send([{ topic: deps.sourceTopic, messages }])
    } catch (error) {
      trace?.end({ error })
      throw new KafkaDeliveryError(
        `Batch ${batch + 1} of ${deps.batchesPerInvocation} failed after ${recordsSent} records in ` +
          `${batchesSent} batches were sent: ${asError(error).message}`,
        { cause: error },
      )
    }
    trace?.end({ deliveries })
    addDeliveries(partitions, deliveries)
    recordsSent += stocks.length
    batchesSent++
  }
  return { batchesSent, batchesSkipped: 0, recordsSent, partitions }
}
