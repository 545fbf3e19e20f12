import { describe, expect, it } from 'vitest'
import { TICKERS } from '../../lib/stocks/stock.js'
import { connectedAdmin, createTestTopics, readTopic, TEST_IDENTITY, testKafka } from '../support/kafka.js'
import { serverless } from '../support/serverless.js'

/** `serverless invoke local --stage local -f FN -p EVENT -e NAME=value...` */
function invokeLocal(
  fn: string,
  event: string,
  env: Record<string, string>,
  stage = 'local',
  processEnv: Record<string, string> = {},
  params: Record<string, string> = {},
) {
  const overrides = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`])
  const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)
  return serverless(
    ['invoke', 'local', '--stage', stage, ...paramArgs, '-f', fn, '-p', event, ...overrides],
    processEnv,
  )
}

/** `invoke local` prints the handler's result (or error) as indented JSON after any log lines. */
function resultOf(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.slice(stdout.indexOf('{\n')))
}

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
    expect(records.map((r) => r.value).sort()).toEqual(
      [
        '{"event_time":"2023-08-08 04:21:56.327123","ticker":"AAPL","price":41.72}',
        '{"event_time":"2023-08-08 04:21:56.327456","ticker":"MSFT","price":88.05}',
        '{"event_time":"2023-08-08 04:21:56.328","ticker":"V","price":0.0}',
        '{"event_time":"2023-08-08 04:21:56.328001","ticker":"NVDA","price":99.99}',
        '{"event_time":"2023-08-08 04:22:02.411","ticker":"AAPL","price":42.1}',
      ].sort(),
    )
  })

  it('processor --param validation=flink: reads as the Flink job did, dead-lettering the ISO time it failed on', async () => {
    const [sink, dlq] = (await createTestTopics(admin(), ['cli-flink-out', 'cli-flink-dlq'])) as [
      string,
      string,
    ]
    const result = await invokeLocal(
      'processor',
      'events/msk.json',
      { SINK_TOPIC: sink, DEAD_LETTER_TOPIC: dlq },
      'local',
      {},
      { validation: 'flink' },
    )
    expect(result.code, result.stderr).toBe(0)
    expect(resultOf(result.stdout)).toMatchObject({ records: 5, written: 4, deadLettered: 1 })
    const [deadLetter] = await readTopic(kafka, dlq, 1)
    expect(deadLetter?.headers['dlq.reason']).toBe('INVALID_EVENT_TIME')
    expect(JSON.parse(deadLetter?.value ?? '{}').event_time).toBe('2023-08-08T04:22:02.411')
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
    // The processor fails with the partitions not acknowledged, each with its cause (lib/processor).
    expect(resultOf(result.stdout)).toMatchObject({ errorType: 'KafkaDeliveryError' })
    expect(result.stdout).toMatch(/partitions not acknowledged.*refused the MSK IAM token \(invalid_token\)/)
    expect(result.stdout + result.stderr).not.toContain('not-the-secret')
  })
})
