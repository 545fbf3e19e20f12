import { kafkaConsumer, SchemaType } from '@aws-lambda-powertools/kafka'
import type { Context } from 'aws-lambda'
import type { MessageSink } from '../lib/kafka/sink.js'
import { processMskEvent } from '../lib/processor/process-event.js'
import { countOf, makeMskEvent } from './events.js'
import { type Measurement, summarise, timeAlternating } from './stats.js'

/** A sink that takes the messages and acknowledges at once: the hot path without the network. */
const acknowledgeAll: MessageSink = {
  send: async () => [],
  close: async () => undefined,
}

/** The bare limit on the same records: base64 decode, JSON.parse and JSON.stringify, nothing else. */
function bareLimit(event: ReturnType<typeof makeMskEvent>): unknown[] {
  const out: unknown[] = []
  for (const records of Object.values(event.records)) {
    for (const record of records) {
      out.push(JSON.stringify(JSON.parse(Buffer.from(record.value ?? '', 'base64').toString('utf8'))))
    }
  }
  return out
}

/** The peer: Powertools' Kafka consumer decoding key and value as JSON, then the same re-key and encode. */
const powertools = kafkaConsumer(
  async (event: {
    records: Iterable<{
      key: { ticker: string }
      value: { event_time: string; ticker: string; price: number }
    }>
  }) => {
    const out: unknown[] = []
    for (const record of event.records) {
      out.push([JSON.stringify({ ticker: record.value.ticker }), JSON.stringify(record.value)])
    }
    return out
  },
  { key: { type: SchemaType.JSON }, value: { type: SchemaType.JSON } },
)

export interface HotPathResult {
  readonly records: number
  readonly ours: Measurement
  readonly bare: Measurement
  readonly powertools: Measurement
}

/** Records per second for each way, over `rounds` rounds. */
export async function benchHotPath(sizes: readonly number[], rounds: number): Promise<HotPathResult[]> {
  const results: HotPathResult[] = []
  for (const size of sizes) {
    const event = makeMskEvent(size)
    const records = countOf(event)
    // Small events take well under a millisecond: each sample repeats the event to ~20,000 records.
    const repeats = Math.ceil(20_000 / records)
    const repeated = (work: () => unknown) => async () => {
      for (let i = 0; i < repeats; i++) await work()
    }
    const rate = (samples: number[]) => summarise(samples.map((ms) => ((records * repeats) / ms) * 1000))
    const [ours = [], bare = [], peer = []] = await timeAlternating(rounds, [
      repeated(() =>
        processMskEvent(event, { sink: acknowledgeAll, sinkTopic: 'out', deadLetterTopic: 'dlq' }),
      ),
      repeated(() => bareLimit(event)),
      repeated(() => powertools(event as never, {} as Context)),
    ])
    results.push({ records, ours: rate(ours), bare: rate(bare), powertools: rate(peer) })
  }
  return results
}
