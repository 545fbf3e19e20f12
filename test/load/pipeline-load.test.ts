import type { Admin, Kafka } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import type { OutgoingMessage } from '../../lib/kafka/sink.js'
import { generateStockBatch } from '../../lib/stocks/generate.js'
import { stockJson, TICKERS, tickerKey } from '../../lib/stocks/stock.js'
import { LocalEventSourceMapping } from '../../scripts/local/event-source-mapping.js'
import { processorWorker } from '../../scripts/local/processor-worker.js'
import { createTestTopics, LOCAL_BROKER, localKafkaConfig, readTopic, testKafka } from '../support/kafka.js'

/**
 * `npm run test:load`: at least 200,000 records through the local pipeline (LOAD_RECORDS to change it),
 * the generator at full speed, the local mapping with a batch size of 1,000+ invoking the real processor
 * handler (functions/processor.ts, middy, Logger, Metrics) in one worker process per partition, as
 * Lambda runs one execution environment per partition. Zero loss, per-ticker order.
 */
const RECORDS = Number(process.env.LOAD_RECORDS ?? 200_000)
const BATCH_SIZE = Number(process.env.LOAD_BATCH_SIZE ?? 2_000)
const SEND_CHUNK = 5_000

let kafka: Kafka
let admin: Admin

beforeAll(async () => {
  kafka = testKafka('load')
  admin = kafka.admin()
  await admin.connect()
})
afterAll(async () => {
  await admin?.disconnect()
})

function progress(label: string, done: number, total: number, startedAt: number) {
  const seconds = (Date.now() - startedAt) / 1000
  console.log(
    `${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${Math.round(done / seconds).toLocaleString('en')}/s)`,
  )
}

describe(`load: ${RECORDS.toLocaleString('en')} records through the local pipeline`, () => {
  it('loses nothing and keeps every ticker in order', { timeout: 900_000 }, async () => {
    const [source, sink, dlq] = (await createTestTopics(admin, ['load-in', 'load-out', 'load-dlq'])) as [
      string,
      string,
      string,
    ]

    // Producer side at full speed: the producer's own generator and encoding, sent in large chunks.
    const producerSink = new KafkajsSink(
      localKafkaConfig({ clientId: 'load-producer', sendTimeoutMs: 120_000 }),
    )
    const produceStart = Date.now()
    let produced = 0
    let pending: OutgoingMessage[] = []
    while (produced < RECORDS) {
      for (const stock of generateStockBatch()) {
        if (produced + pending.length >= RECORDS) break
        pending.push({ key: tickerKey(stock.ticker), value: stockJson(stock) })
      }
      if (pending.length >= SEND_CHUNK || produced + pending.length >= RECORDS) {
        await producerSink.send([{ topic: source, messages: pending }])
        produced += pending.length
        pending = []
        if (produced % 50_000 < SEND_CHUNK) progress('produced', produced, RECORDS, produceStart)
      }
    }
    await producerSink.close()
    const produceSeconds = (Date.now() - produceStart) / 1000

    // The real processor handler behind the local event source mapping, one worker per partition.
    const processStart = Date.now()
    let processed = 0
    let invocations = 0
    let lastReport = 0
    const failures: unknown[] = []
    const mapping = new LocalEventSourceMapping({
      kafka,
      topic: source,
      consumerGroupId: `load-${source}`,
      batchSize: BATCH_SIZE,
      maximumBatchingWindowMs: 500,
      eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/load',
      bootstrapServers: [LOCAL_BROKER],
      invokerFor: () =>
        processorWorker({
          broker: LOCAL_BROKER,
          sinkTopic: sink,
          deadLetterTopic: dlq,
          functionName: 'load-processor',
        }),
      onInvocation: ({ records, error }) => {
        if (error !== undefined) {
          failures.push(error)
          return
        }
        processed += records
        invocations++
        if (Date.now() - lastReport > 2_000) {
          lastReport = Date.now()
          progress('processed', processed, RECORDS, processStart)
        }
      },
    })
    await mapping.start()
    const output = await readTopic(kafka, sink, RECORDS, 600_000)
    const processSeconds = (Date.now() - processStart) / 1000
    await mapping.stop()

    const input = await readTopic(kafka, source, RECORDS, 300_000)
    const unique = new Set(
      output.map((r) => `${r.headers['source.partition']}@${r.headers['source.offset']}`),
    )
    const outOfOrder = TICKERS.filter((ticker) => {
      const key = tickerKey(ticker)
      const offsets = output.filter((r) => r.key === key).map((r) => Number(r.headers['source.offset']))
      return offsets.some((offset, i) => i > 0 && offset <= (offsets[i - 1] ?? -1))
    })
    const deadLettered = (await admin.fetchTopicOffsets(dlq)).reduce((n, p) => n + Number(p.high), 0)
    console.log(
      `load summary: ${RECORDS.toLocaleString('en')} records; produced in ${produceSeconds.toFixed(1)} s ` +
        `(${Math.round(RECORDS / produceSeconds).toLocaleString('en')}/s); processed in ${processSeconds.toFixed(1)} s ` +
        `(${Math.round(RECORDS / processSeconds).toLocaleString('en')}/s) over ${invocations} invocations of up to ` +
        `${BATCH_SIZE} records; ${output.length - unique.size} duplicates, ${RECORDS - unique.size} missing, ` +
        `${deadLettered} dead-lettered, ${outOfOrder.length} tickers out of order`,
    )

    expect(failures).toEqual([])
    expect(input).toHaveLength(RECORDS)
    expect(unique.size).toBe(RECORDS)
    expect(deadLettered).toBe(0)
    expect(outOfOrder).toEqual([])
  })
})
