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

/** Runs one batch's send, handing it the headers that carry the batch's trace context. */
export type TraceBatch = <T>(
  batch: BatchToSend,
  send: (headers: readonly OutgoingHeader[]) => Promise<T>,
) => Promise<T>

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
  /** Given when the invocation is traced (lib/tracing/producer-batches.ts); otherwise records carry no headers. */
  readonly traceBatch?: TraceBatch
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
    const send = (headers?: readonly OutgoingHeader[]) =>
      deps.sink.send([
        { topic: deps.sourceTopic, messages: stocks.map((stock) => toMessage(stock, headers)) },
      ])
    const toSend = { topic: deps.sourceTopic, number: batch + 1, records: stocks.length }
    try {
      addDeliveries(partitions, await (deps.traceBatch ? deps.traceBatch(toSend, send) : send()))
    } catch (error) {
      throw new KafkaDeliveryError(
        `Batch ${batch + 1} of ${deps.batchesPerInvocation} failed after ${recordsSent} records in ` +
          `${batchesSent} batches were sent: ${asError(error).message}`,
        { cause: error },
      )
    }
    recordsSent += stocks.length
    batchesSent++
  }
  return { batchesSent, batchesSkipped: 0, recordsSent, partitions }
}
