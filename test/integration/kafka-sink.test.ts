import { setTimeout } from 'node:timers/promises'
import { beforeAll, describe, expect, it } from 'vitest'
import { KafkaDeliveryError, KafkaUnavailableError } from '../../lib/errors.js'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import { connectedAdmin, createTestTopics, localKafkaConfig, readTopic, testKafka } from '../support/kafka.js'

const kafka = testKafka()
const admin = connectedAdmin(kafka)
let topic: string

beforeAll(async () => {
  ;[topic] = (await createTestTopics(admin(), ['sink'])) as [string]
})

describe('KafkajsSink on the real broker', () => {
  it('reports how many records each partition acknowledged, headers included', async () => {
    const sink = new KafkajsSink(localKafkaConfig())
    const messages = ['AAPL', 'MSFT', 'V', 'AAPL'].map((ticker) => ({
      key: `{"ticker":"${ticker}"}`,
      value: ticker,
      headers: [
        { key: 'h', value: 'one' },
        { key: 'h', value: 'two' },
      ],
    }))
    const deliveries = await sink.send([{ topic, messages }])
    await sink.close()

    const records = await readTopic(kafka, topic, 4)
    const perPartition = new Map<number, number>()
    for (const record of records)
      perPartition.set(record.partition, (perPartition.get(record.partition) ?? 0) + 1)
    expect(deliveries).toEqual(
      [...perPartition].sort(([a], [b]) => a - b).map(([partition, count]) => ({ topic, partition, count })),
    )
    expect(records[0]?.headers.h).toBe('one,two')
  })

  it('fails within its bounds with a clear message when no broker listens, and says how to start one', async () => {
    const sink = new KafkajsSink(localKafkaConfig({ bootstrapServers: ['127.0.0.1:1'], retries: 1 }))
    const failure = sink.send([{ topic, messages: [{ key: 'k', value: 'v' }] }])
    await expect(failure).rejects.toThrow(KafkaUnavailableError)
    await expect(failure).rejects.toThrow(/ECONNREFUSED.*npm run kafka:start/s)
  })

  it('names a missing topic, then recovers with a fresh producer on the next send', async () => {
    const sink = new KafkajsSink(localKafkaConfig({ retries: 1 }))
    const failure = sink.send([{ topic: 'no-such-topic', messages: [{ key: 'k', value: 'v' }] }])
    await expect(failure).rejects.toThrow(KafkaDeliveryError)
    await expect(failure).rejects.toThrow(/Do the topics exist\? Create them with `npm run kafka:topics`/)

    const [fresh] = (await createTestTopics(admin(), ['after-failure'])) as [string]
    const deliveries = await sink.send([{ topic: fresh, messages: [{ key: 'k', value: 'v' }] }])
    await sink.close()
    expect(deliveries.reduce((n, d) => n + d.count, 0)).toBe(1)
    expect((await readTopic(kafka, fresh, 1))[0]?.value).toBe('v')
  })
})

describe('KafkajsSink with sends under way at once', () => {
  it("never lets one send's failure fail or lose another's records, then or later", async () => {
    // `small` refuses record batches over 2,000 bytes: the failing send's dead-letter topic, say.
    const [shared, small] = (await createTestTopics(admin(), ['shared', 'small'], 2, {
      small: { 'max.message.bytes': '2000' },
    })) as [string, string]
    const sink = new KafkajsSink(localKafkaConfig({ retries: 1 }))
    const batch = (tag: string) =>
      ['AAPL', 'MSFT', 'V', 'NVDA', 'IBM'].flatMap((ticker) =>
        Array.from({ length: 10 }, (_, i) => ({
          key: `{"ticker":"${ticker}"}`,
          value: `${tag}-${ticker}-${i}`,
        })),
      )
    const rounds = 5
    for (let round = 0; round < rounds; round++) {
      const [failing, healthy] = await Promise.allSettled([
        sink.send([
          { topic: shared, messages: batch(`failing${round}`) },
          { topic: small, messages: [{ key: 'k', value: 'x'.repeat(5_000) }] },
        ]),
        // A moment later, so that on a shared producer it would go out right after the failed request.
        setTimeout(3).then(() => sink.send([{ topic: shared, messages: batch(`healthy${round}`) }])),
      ])
      expect(failing.status).toBe('rejected')
      expect(String((failing as PromiseRejectedResult).reason)).toMatch(/larger than the max message size/)
      expect(healthy).toMatchObject({ status: 'fulfilled' })
      // The next send, on whatever producer is left, lands whole.
      await expect(sink.send([{ topic: shared, messages: batch(`after${round}`) }])).resolves.toHaveLength(2)
    }
    await sink.close()

    // The failing sends' records for `shared` may or may not have been written (the broker took that topic's
    // part of the request); every other record must be there, once.
    const offsets = await admin().fetchTopicOffsets(shared)
    const total = offsets.reduce((sum, o) => sum + Number(o.high), 0)
    const values = (await readTopic(kafka, shared, total)).map((record) => record.value ?? '')
    for (let round = 0; round < rounds; round++) {
      for (const tag of [`healthy${round}`, `after${round}`]) {
        expect(values.filter((value) => value.startsWith(`${tag}-`)).sort()).toEqual(
          batch(tag)
            .map((message) => message.value)
            .sort(),
        )
      }
    }
  })
})

describe("KafkajsSink and the brokers' record batch limit", () => {
  it('sends an event larger than message.max.bytes to one partition, in order', async () => {
    const [big] = (await createTestTopics(admin(), ['sink-big'], 1)) as [string]
    const sink = new KafkajsSink(localKafkaConfig({ sendTimeoutMs: 60_000 }))
    const value = 'x'.repeat(200)
    const messages = Array.from({ length: 10_000 }, (_, i) => ({ key: 'same', value: `${i}:${value}` }))
    const deliveries = await sink.send([{ topic: big, messages }])
    await sink.close()
    expect(deliveries).toEqual([{ topic: big, partition: 0, count: 10_000 }])
    const records = await readTopic(kafka, big, 10_000, 60_000)
    expect(records.map((r) => Number(r.value?.split(':')[0]))).toEqual([...Array(10_000).keys()])
  })
})
