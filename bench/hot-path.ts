import { kafkaConsumer, SchemaType } from '@aws-lambda-powertools/kafka'
import type { Context } from 'aws-lambda'
import type { MessageSink } from '../lib/kafka/sink.js'
import type { MskEvent } from '../lib/msk/event.js'
import { processMskEvent } from '../lib/processor/process-event.js'
import { recordProcessorSpans } from '../lib/tracing/processor-spans.js'
import { startTracing, type Tracing } from '../lib/tracing/tracing.js'
import { lambdaContext } from '../scripts/local/lambda-context.js'
import { countOf, format, makeMskEvent } from './events.js'
import { type Measurement, summarise, timeAlternating } from './stats.js'
import { daemonTracingEnv, startDiscardingDaemon, withProducerTraceHeaders } from './tracing-events.js'

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

/**
 * The bare limit on records that carry trace headers: the same, plus reading each header's bytes once,
 * the least any processor does to carry them on (copying or comparing them reads them all).
 */
function bareLimitWithHeaders(event: MskEvent): unknown[] {
  const out: unknown[] = []
  for (const records of Object.values(event.records)) {
    for (const record of records) {
      const value = JSON.stringify(JSON.parse(Buffer.from(record.value ?? '', 'base64').toString('utf8')))
      let checksum = 0
      for (const header of record.headers ?? []) {
        for (const key in header) {
          const bytes = header[key] ?? []
          for (let i = 0; i < bytes.length; i++) checksum = (checksum + (bytes[i] ?? 0)) | 0
        }
      }
      out.push([value, checksum])
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
  /** Ours on the same records carrying the producer's trace headers, tracing off (copied to the sink records). */
  readonly withHeaders: Measurement
  /** The bare limit on those records, their trace headers copied too. */
  readonly bareWithHeaders: Measurement
  /** The same, tracing on and the records sampled upstream: spans recorded and sent over UDP, as in Lambda. */
  readonly traced: Measurement
}

const options = { sink: acknowledgeAll, sinkTopic: 'out', deadLetterTopic: 'dlq', format }

const context = lambdaContext('bench-processor', 60_000)

/**
 * The processor handler's work (functions/processor.ts): processMskEvent, then the spans recorded from
 * its result and exported before the invocation returns. Tracing off, recording is one check.
 */
async function processTraced(tracing: Tracing, event: MskEvent): Promise<void> {
  const startedAt = Date.now()
  const result = await processMskEvent(event, options)
  recordProcessorSpans(tracing, result, context, { startedAt, endedAt: Date.now() })
  await tracing.flush()
}

/** Records per second for each way, over `rounds` rounds. */
export async function benchHotPath(sizes: readonly number[], rounds: number): Promise<HotPathResult[]> {
  const daemon = await startDiscardingDaemon()
  const tracing = (env: Record<string, string>) =>
    startTracing({ name: 'processor', defaultSampler: 'parentbased_always_off', env })
  const off = tracing({})
  const on = tracing(daemonTracingEnv(daemon.port))
  const results: HotPathResult[] = []
  for (const size of sizes) {
    const event = makeMskEvent(size)
    const headed = withProducerTraceHeaders(event)
    const records = countOf(event)
    // Small events take well under a millisecond: each sample repeats the event to ~20,000 records.
    const repeats = Math.ceil(20_000 / records)
    const repeated = (work: () => unknown) => async () => {
      for (let i = 0; i < repeats; i++) await work()
    }
    const rate = (samples: number[]) => summarise(samples.map((ms) => ((records * repeats) / ms) * 1000))
    const [ours = [], bare = [], peer = [], headers = [], bareHeaders = [], traced = []] =
      await timeAlternating(rounds, [
        repeated(() => processMskEvent(event, options)),
        repeated(() => bareLimit(event)),
        repeated(() => powertools(event as never, {} as Context)),
        repeated(() => processTraced(off, headed)),
        repeated(() => bareLimitWithHeaders(headed)),
        repeated(() => processTraced(on, headed)),
      ])
    results.push({
      records,
      ours: rate(ours),
      bare: rate(bare),
      powertools: rate(peer),
      withHeaders: rate(headers),
      bareWithHeaders: rate(bareHeaders),
      traced: rate(traced),
    })
  }
  daemon.stop()
  return results
}
