import { describe, expect, it } from 'vitest'
import { type Stock, TICKERS } from '../../lib/stocks/stock.js'
import { fixture } from '../support/fixtures.js'
import { sinkRecordsOf } from '../support/format.js'
import { connectedAdmin, createTestTopics, readTopic, TEST_IDENTITY, testKafka } from '../support/kafka.js'
import { invokeLocal, resultOf } from '../support/serverless.js'

const kafka = testKafka()
const admin = connectedAdmin(kafka)

describe('serverless invoke local --stage local, against the local broker', () => {
  it('producer: sends one batch of 17 records from events/schedule.json', async () => {
    const [source] = (await createTestTopics(admin(), ['cli-in'])) as [string]
    const result = await invokeLocal('producer', 'events/schedule.json', { SOURCE_TOPIC: source })
    expect(result.code, result.stderr).toBe(0)
    const summary = resultOf(result.stdout)
    expect(summary).toMatchObject({ batchesSent: 1, recordsSent: 17 })
    expect(Object.values(summary.partitions as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(17)
    const records = await readTopic(kafka, source, 17)
    expect(records.map((r) => JSON.parse(r.key ?? '').ticker).sort()).toEqual([...TICKERS].sort())
  })

  it('processor: writes the re-keyed records of events/msk.json', async () => {
    const [sink, dlq] = (await createTestTopics(admin(), ['cli-out', 'cli-dlq'])) as [string, string]
    const result = await invokeLocal('processor', 'events/msk.json', {
      SINK_TOPIC: sink,
      DEAD_LETTER_TOPIC: dlq,
    })
    expect(result.code, result.stderr).toBe(0)
    expect(resultOf(result.stdout)).toMatchObject({ records: 5, written: 5, deadLettered: 0 })
    const records = await readTopic(kafka, sink, 5)
    // As the sink format writes the fixture's stocks.
    const stocks = Object.values(fixture('msk.json').records)
      .flat()
      .map((record) => JSON.parse(Buffer.from(record.value ?? '', 'base64').toString('utf8')) as Stock)
    expect(records.map((r) => [r.key, r.value]).sort()).toEqual(sinkRecordsOf(stocks).sort())
  })

  it.each(['producer', 'processor'])(
    '%s: fails with a clear message, not a hang, when no broker is reachable',
    async (fn) => {
      const event = fn === 'producer' ? 'events/schedule.json' : 'events/msk.json'
      const result = await invokeLocal(fn, event, { KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1' })
      expect(result.code).not.toBe(0)
      expect(result.stdout + result.stderr).toMatch(
        /Cannot connect to Kafka.*Start it with `npm run kafka:start`/,
      )
    },
  )
})

describe('serverless invoke local --stage local-iam, over the MSK IAM listener', () => {
  it('producer: signs its token with the credentials in the environment', async () => {
    const [source] = (await createTestTopics(admin(), ['cli-iam-in'])) as [string]
    const result = await invokeLocal(
      'producer',
      'events/schedule.json',
      { SOURCE_TOPIC: source },
      'local-iam',
      {
        AWS_ACCESS_KEY_ID: TEST_IDENTITY.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_IDENTITY.secretAccessKey,
      },
    )
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(resultOf(result.stdout)).toMatchObject({ batchesSent: 1, recordsSent: 17 })
    expect(await readTopic(kafka, source, 17)).toHaveLength(17)
  })

  it('processor: fails with a clear authentication error when the credentials are wrong', async () => {
    const result = await invokeLocal('processor', 'events/msk.json', {}, 'local-iam', {
      AWS_ACCESS_KEY_ID: TEST_IDENTITY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    })
    expect(result.code).not.toBe(0)
    // Every partition's send failed to connect: the invocation fails, naming them and the refusal.
    expect(resultOf(result.stdout)).toMatchObject({ errorType: 'KafkaDeliveryError' })
    expect(result.stdout).toMatch(/refused the MSK IAM token \(invalid_token\)/)
    expect(result.stdout + result.stderr).not.toContain('not-the-secret')
  })
})
