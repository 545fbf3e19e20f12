import { describe, expect, it } from 'vitest'
import { KafkaDeliveryError } from '../../lib/errors.js'
import { type ProducerDeps, produceStockBatches } from '../../lib/producer/produce-batches.js'
import { MemorySink } from '../support/memory-sink.js'

/**
 * A clock that only moves when the producer waits, so the schedule is checked exactly; each reading of
 * the microsecond clock moves it one microsecond, as stamping a record takes time.
 */
function fakeTime(startMs: number, budgetMs: number) {
  let now = startMs
  let micros = 0
  const waits: number[] = []
  return {
    waits,
    now: () => now,
    clock: () => now * 1000 + micros++,
    wait: async (ms: number) => {
      waits.push(ms)
      now += ms
    },
    remainingTimeMs: () => startMs + budgetMs - now,
  }
}

function deps(sink: MemorySink, overrides: Partial<ProducerDeps> = {}): ProducerDeps {
  const time = fakeTime(Date.parse('2026-11-24T09:00:00Z'), 90_000)
  return {
    sink,
    sourceTopic: 'stocks-in',
    batchesPerInvocation: 3,
    batchIntervalMs: 10_000,
    sendBudgetMs: 20_000,
    ...time,
    ...overrides,
  }
}

describe('produceStockBatches', () => {
  it('sends the batches one interval apart, keyed by ticker', async () => {
    const sink = new MemorySink()
    const d = deps(sink)
    const summary = await produceStockBatches(d)

    expect(summary).toEqual({
      batchesSent: 3,
      batchesSkipped: 0,
      recordsSent: 51,
      partitions: { 'stocks-in-0': 51 },
    })
    expect(sink.sent).toHaveLength(3)
    const first = sink.messagesFor('stocks-in')[0]
    expect(first?.key).toBe('{"ticker":"AAPL"}')
    expect(JSON.parse(String(first?.value))).toMatchObject({
      ticker: 'AAPL',
      event_time: '2026-11-24 09:00:00.000000',
    })
    const times = sink.sent.map((batch) => JSON.parse(String(batch[0]?.messages[0]?.value)).event_time)
    expect(times).toEqual([
      '2026-11-24 09:00:00.000000',
      '2026-11-24 09:00:10.000017',
      '2026-11-24 09:00:20.000034',
    ])
    // Each record carries its own time, as the original's datetime.now() per record did.
    const all = sink.messagesFor('stocks-in').map((m) => JSON.parse(String(m.value)).event_time)
    expect(new Set(all).size).toBe(51)
  })

  it('skips the batches that would not finish before the function timeout', async () => {
    const sink = new MemorySink()
    const time = fakeTime(0, 45_000)
    const summary = await produceStockBatches(deps(sink, { ...time, batchesPerInvocation: 6 }))
    // Batch 2 starts at 10 s with 35 s left; batch 3 would start at 20 s with 25 s left, batch 4 at 30 s
    // with only 15 s left, under the 20 s send budget.
    expect(summary).toMatchObject({ batchesSent: 3, batchesSkipped: 3, recordsSent: 51 })
  })

  it('fails the invocation on a failed send and says what was already sent', async () => {
    const sink = new MemorySink()
    const send = sink.send.bind(sink)
    let calls = 0
    sink.send = async (batches) => {
      calls++
      if (calls === 2) throw new KafkaDeliveryError('Kafka did not acknowledge 17 records')
      return send(batches)
    }
    const failure = produceStockBatches(deps(sink))
    await expect(failure).rejects.toThrow(KafkaDeliveryError)
    await expect(failure).rejects.toThrow(
      'Batch 2 of 3 failed after 17 records in 1 batches were sent: Kafka did not acknowledge 17 records',
    )
  })
})
