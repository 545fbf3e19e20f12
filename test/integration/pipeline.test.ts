import type { Admin, Kafka } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KafkaConnectionConfig } from '../../lib/config.js'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import type { MskEvent } from '../../lib/msk/event.js'
import { produceStockBatches } from '../../lib/producer/produce-batches.js'
import { DEFAULT_SINK_FORMAT, SINK_FORMATS } from '../../lib/sink-formats.js'
import type { StockFormat } from '../../lib/stocks/format.js'
import { TICKERS, tickerKey } from '../../lib/stocks/stock.js'
import { LocalEventSourceMapping } from '../../scripts/local/event-source-mapping.js'
import {
  type ConsumedRecord,
  createTestTopics,
  iamKafkaConfig,
  javaPartitionsFor,
  localKafkaConfig,
  readTopic,
  TEST_IDENTITY,
  testKafka,
} from '../support/kafka.js'
import { processorHandler } from '../support/processor.js'

const BATCHES = 12

// The IAM run signs its tokens with the AWS SDK's default credential chain, as in Lambda: here from the
// environment, with a test identity the local broker's validator knows.
Object.assign(process.env, TEST_IDENTITY.environment)

describe.each([
  ['PLAINTEXT', DEFAULT_SINK_FORMAT, localKafkaConfig()],
  ['SASL_SSL with MSK IAM auth', DEFAULT_SINK_FORMAT, iamKafkaConfig()],
  ['PLAINTEXT', 'json', localKafkaConfig()],
])(
  'producer -> stocks-in -> local MSK mapping -> processor -> stocks-out, over %s, sink format %s',
  (_listener, formatName: string, connection: KafkaConnectionConfig) => {
    const format = SINK_FORMATS[formatName] as StockFormat
    let kafka: Kafka
    let admin: Admin
    let source: string
    let sinkTopic: string
    let deadLetterTopic: string
    let input: ConsumedRecord[]
    let output: ConsumedRecord[]
    const events: MskEvent[] = []

    beforeAll(async () => {
      kafka = testKafka()
      admin = kafka.admin()
      await admin.connect()
      ;[source, sinkTopic, deadLetterTopic] = (await createTestTopics(admin, [
        'stocks-in',
        'stocks-out',
        'stocks-dlq',
      ])) as [string, string, string]

      const producerSink = new KafkajsSink({ ...connection, clientId: 'producer' })
      const summary = await produceStockBatches({
        sink: producerSink,
        sourceTopic: source,
        batchesPerInvocation: BATCHES,
        batchIntervalMs: 2,
        sendBudgetMs: 20_000,
        remainingTimeMs: () => 60_000,
      })
      await producerSink.close()
      expect(summary.recordsSent).toBe(BATCHES * TICKERS.length)

      const processorSink = new KafkajsSink({ ...connection, clientId: 'processor' })
      const mapping = new LocalEventSourceMapping({
        // Lambda's pollers read with the function's own identity too.
        kafka: createKafka(
          { ...connection, clientId: 'event-source-mapping' },
          createBrokerResolver(connection),
        ),
        topic: source,
        consumerGroupId: `processor-${source}`,
        batchSize: 50,
        maximumBatchingWindowMs: 200,
        eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/test',
        bootstrapServers: connection.bootstrapServers,
        handler: (event) => {
          events.push(event)
          return processorHandler({ sink: processorSink, sinkTopic, deadLetterTopic, format })(event)
        },
      })
      await mapping.start()
      try {
        output = await readTopic(kafka, sinkTopic, summary.recordsSent)
      } finally {
        await mapping.stop()
        await processorSink.close()
      }
      input = await readTopic(kafka, source, summary.recordsSent)
    })

    afterAll(async () => {
      await admin?.deleteTopics({ topics: [source, sinkTopic, deadLetterTopic] }).catch(() => undefined)
      await admin?.disconnect()
    })

    it('writes every record exactly once, re-keyed, as the sink format writes it', () => {
      expect(output).toHaveLength(BATCHES * TICKERS.length)
      const seen = new Set(
        output.map((r) => `${r.headers['source.partition']}@${r.headers['source.offset']}`),
      )
      expect(seen.size).toBe(output.length)

      const inputAt = new Map(input.map((r) => [`${r.partition}@${r.offset}`, r]))
      for (const record of output) {
        const original = inputAt.get(
          `${record.headers['source.partition']}@${record.headers['source.offset']}`,
        )
        const written = format.write(JSON.parse(original?.value ?? 'null'))
        expect([record.key, record.value]).toEqual([written.key, written.value])
      }
    })

    it('puts each key on the partition the Java client would choose, in both topics', () => {
      const keys = TICKERS.map((ticker) => tickerKey(ticker))
      const partitions = javaPartitionsFor(keys, 2)
      const javaPartition = new Map(keys.map((key, i) => [key, partitions[i]]))
      for (const record of [...input, ...output])
        expect(record.partition).toBe(javaPartition.get(record.key ?? ''))
      expect(new Set(output.map((r) => r.partition))).toEqual(new Set([0, 1]))
    })

    it('keeps each ticker in order', () => {
      for (const ticker of TICKERS) {
        const inputOrder = input.filter((r) => r.key === tickerKey(ticker)).map((r) => Number(r.offset))
        const outputOrder = output
          .filter((r) => r.key === tickerKey(ticker))
          .map((r) => Number(r.headers['source.offset']))
        expect(outputOrder).toEqual(inputOrder)
        expect(outputOrder).toHaveLength(BATCHES)
      }
    })

    it('delivered the records in events of the MSK shape, within the batch size', () => {
      expect(events.length).toBeGreaterThan(1)
      for (const event of events) {
        expect(event.eventSource).toBe('aws:kafka')
        const groups = Object.entries(event.records)
        expect(
          groups.every(([id, records]) => records.every((r) => `${r.topic}-${r.partition}` === id)),
        ).toBe(true)
        expect(groups.reduce((n, [, records]) => n + records.length, 0)).toBeLessThanOrEqual(50)
      }
    })

    it('dead-letters nothing when every record is valid', async () => {
      const offsets = await admin.fetchTopicOffsets(deadLetterTopic)
      expect(offsets.every((p) => p.high === '0')).toBe(true)
    })
  },
)
