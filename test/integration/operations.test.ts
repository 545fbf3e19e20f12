import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import type { MskRecord } from '../../lib/msk/event.js'
import { kafkaDestinationMessages } from '../../lib/ops/on-failure-record.js'
import type { StockFormat } from '../../lib/stocks/format.js'
import { generateStockBatch } from '../../lib/stocks/generate.js'
import { stockJson, tickerKey } from '../../lib/stocks/stock.js'
import {
  type GiveUpReport,
  type InvocationReport,
  LocalEventSourceMapping,
} from '../../scripts/local/event-source-mapping.js'
import { KafkaTopicDestination, SqsQueueDestination } from '../../scripts/local/on-failure-destinations.js'
import { startTestBroker, type TestBroker } from '../support/broker.js'
import { runCommand, spawnCommand } from '../support/commands.js'
import { format } from '../support/format.js'
import { localKafkaConfig, PROJECT_DIR, readTopic } from '../support/kafka.js'
import { freePorts } from '../support/ports.js'
import { processorHandler } from '../support/processor.js'

/**
 * The operator's tools against a broker of their own (free ports, its data in the run's temp folder),
 * with the local stage's topic names: the mapping gives up during a real broker outage, replay and
 * redrive bring the records back, status reports what is where.
 */
let broker: TestBroker
let BROKER: string
let connection: ReturnType<typeof localKafkaConfig>
let kafka: Kafka
const TOPICS = { source: 'stocks-in', sink: 'stocks-out', dlq: 'stocks-dlq', gaveUp: 'stocks-gave-up' }
/** The local stage's processor group (serverless.yml: SERVICE-STAGE-processor), which status reports on. */
const PROCESSOR_GROUP = 'msk-lambda-stocks-local-processor'

/** The SQS-compatible server (moto) of scripts/sqs, on a free port; it accepts any credentials. */
const SQS = { port: '', endpoint: '' }
const SQS_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
}
const sqsServer = (command: 'start' | 'stop') =>
  execFileSync(`${PROJECT_DIR}scripts/sqs/sqs-server.sh`, [command], {
    env: { ...process.env, SQS_PORT: SQS.port },
    stdio: 'ignore',
  })

/** An operator command as the user runs it (npm run ...), against this file's broker. */
function opsCommand(command: 'replay' | 'redrive' | 'status', args: string[] = []) {
  return runCommand('npm', ['run', '--silent', command, '--', ...args], {
    env: { ...SQS_CREDENTIALS, LOCAL_KAFKA_BOOTSTRAP_SERVERS: BROKER },
  })
}

/** Its --json summary, once it succeeded. */
async function ops(command: 'replay' | 'redrive' | 'status', args: string[] = []) {
  const result = await opsCommand(command, [...args, '--json'])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout)
}

async function endOffsets(topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0)
  await admin.disconnect()
  return total
}

async function readAll(topic: string) {
  return readTopic(kafka, topic, await endOffsets(topic), 60_000)
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(100)
  }
}

async function produce(topic: string, messages: { key: string | null; value: string }[]) {
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, acks: -1, messages })
  await producer.disconnect()
}

const stockMessages = (batches: number) =>
  Array.from({ length: batches }, () => generateStockBatch())
    .flat()
    .map((stock) => ({ key: tickerKey(stock.ticker), value: stockJson(stock) }))

const coordinates = (r: { headers: Record<string, string> }) =>
  `${r.headers['source.partition'] ?? r.headers['dlq.source.partition']}@${r.headers['source.offset'] ?? r.headers['dlq.source.offset']}`

beforeAll(async () => {
  broker = await startTestBroker(mkdtempSync(join(tmpdir(), 'operations-kafka-')))
  BROKER = broker.address
  connection = localKafkaConfig({
    bootstrapServers: [BROKER],
    connectTimeoutMs: 1_000,
    sendTimeoutMs: 3_000,
  })
  kafka = new Kafka({ clientId: 'ops-tests', brokers: [BROKER], logLevel: logLevel.NOTHING })
  const [sqsPort] = await freePorts(1)
  SQS.port = String(sqsPort)
  SQS.endpoint = `http://127.0.0.1:${sqsPort}`
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: Object.values(TOPICS).map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
    waitForLeaders: true,
  })
  await admin.disconnect()
}, 120_000)

afterAll(() => {
  broker?.stop()
  sqsServer('stop')
})

describe('operators’ tools', { concurrent: false }, () => {
  it('an outage longer than the retries: the mapping gives up as Lambda does, replay brings every record to the sink', {
    timeout: 240_000,
  }, async () => {
    await produce(TOPICS.source, stockMessages(10))
    const input = await readAll(TOPICS.source)
    expect(input).toHaveLength(170)

    let outage = (): void => undefined
    const brokerDown = new Promise<void>((resolve) => {
      outage = resolve
    })
    const waiting = new Set<string>()
    const invocations: InvocationReport[] = []
    const gaveUp: GiveUpReport[] = []
    const processorSink = new KafkajsSink({ ...connection, clientId: 'ops-processor' })
    const mappingKafka = createKafka(
      { ...connection, clientId: 'ops-mapping' },
      createBrokerResolver(connection),
    )
    const mapping = new LocalEventSourceMapping({
      kafka: mappingKafka,
      topic: TOPICS.source,
      consumerGroupId: PROCESSOR_GROUP,
      // One event per partition: all 170 records are in hand when the broker goes away.
      batchSize: 200,
      maximumBatchingWindowMs: 300,
      maximumRetryAttempts: 2,
      onFailure: new KafkaTopicDestination(mappingKafka, TOPICS.gaveUp),
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:msk-lambda-stocks-local-processor',
      eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/ops',
      bootstrapServers: [BROKER],
      retryDelayMs: () => 300,
      onInvocation: (report) => invocations.push(report),
      onGiveUp: (report) => gaveUp.push(report),
      // Every event waits for the outage, so its records are in hand when the broker goes away.
      handler: async (event) => {
        for (const partition of Object.keys(event.records)) waiting.add(partition)
        await brokerDown
        return processorHandler({ sink: processorSink, sinkTopic: TOPICS.sink, deadLetterTopic: TOPICS.dlq })(
          event,
        )
      },
    })
    await mapping.start()
    await until(() => waiting.size === 2)
    broker.stop({ keepData: true })
    outage()
    // Three failed invocations (the first and two retries) of every event, while the broker is down.
    await until(() => invocations.filter((i) => i.error !== undefined && i.attempt === 3).length >= 2)
    broker.start()
    await until(() => gaveUp.reduce((sum, g) => sum + g.records, 0) >= 170)
    // Given up on means done: the mapping commits past them once the group is back. Just after the restart
    // the group's coordinator may still be loading (a retriable error): not yet.
    await until(
      async () =>
        (await committedOffsets(PROCESSOR_GROUP, TOPICS.source).catch(notYetIfRetriable)).reduce(
          (a, b) => a + b,
          0,
        ) === 170,
    )
    await mapping.stop()
    await processorSink.close()

    expect(gaveUp.every((g) => g.condition === 'RetriesExhausted' && g.recorded)).toBe(true)
    expect(await endOffsets(TOPICS.sink)).toBe(0)
    const records = await readAll(TOPICS.gaveUp)
    expect(records).toHaveLength(170)
    const inputAt = new Map(input.map((r) => [`${r.partition}@${r.offset}`, r]))
    for (const record of records) {
      const envelope = JSON.parse(record.value ?? '')
      expect(envelope.requestContext).toMatchObject({
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      })
      expect(envelope.requestContext.functionArn).toMatch(/:function:msk-lambda-stocks-local-processor$/)
      expect(envelope.responseContext).toEqual({
        statusCode: 200,
        executedVersion: '$LATEST',
        functionError: 'Unhandled',
      })
      expect(envelope.version).toBe('1.0')
      expect(envelope.KafkaBatchInfo.eventSourceArn).toBe(
        'arn:aws:kafka:us-east-1:000000000000:cluster/local/ops',
      )
      const [original] = Object.values(envelope.payload.records).flat() as MskRecord[]
      const source = inputAt.get(`${original?.partition}@${original?.offset}`)
      expect(envelope.KafkaBatchInfo.recordInfo.offset).toBe(String(original?.offset))
      expect(Buffer.from(original?.value ?? '', 'base64').toString()).toBe(source?.value)
      // Keyed as the record was.
      expect(record.key).toBe(source?.key)
    }

    const dryRun = await ops('replay', ['--dry-run'])
    expect(dryRun).toMatchObject({ selected: 170, written: 0, byCondition: { RetriesExhausted: 170 } })
    const replay = await ops('replay')
    expect(replay).toMatchObject({ selected: 170, written: 170, deadLettered: 0, unreadable: 0 })
    const again = await ops('replay')
    expect(again).toMatchObject({ selected: 0, written: 0 })

    const output = [...(await readAll(TOPICS.sink)), ...(await readAll(TOPICS.dlq))]
    const seen = new Set(output.map(coordinates))
    const missing = input.filter((r) => !seen.has(`${r.partition}@${r.offset}`))
    console.log(
      `outage and replay: ${input.length} in, ${seen.size} accounted for, ${output.length - seen.size} duplicates`,
    )
    expect(missing).toEqual([])

    const status = await ops('status')
    expect(status.topics.source.partitions.map((p: { lag: number }) => p.lag)).toEqual([0, 0])
    expect(status.topics.gaveUp.partitions.reduce((sum: number, p: { end: number }) => sum + p.end, 0)).toBe(
      170,
    )
    expect(status.topics.sink.partitions.reduce((sum: number, p: { end: number }) => sum + p.end, 0)).toBe(
      output.length,
    )
    expect(status.gaveUpByCondition).toEqual({ RetriesExhausted: 170 })
    for (const partition of status.topics.sink.partitions)
      expect(Date.parse(partition.lastRecordAt)).toBeGreaterThan(0)
  })

  it('redrive: records dead-lettered by a rule since relaxed reach the sink; a second redrive does nothing', {
    timeout: 120_000,
  }, async () => {
    const sinkBefore = await endOffsets(TOPICS.sink)
    // Prices over 50, which the processor first ran with refused (a rule since relaxed): the stage's
    // processor, which redrive runs, writes them.
    const poison = generateStockBatch()
      .slice(0, 5)
      .map((stock) => ({ key: tickerKey(stock.ticker), value: stockJson({ ...stock, price: 75.5 }) }))
    const overFifty: StockFormat = {
      ...format,
      read: (value, validation) => {
        const read = format.read(value, validation)
        return read.ok && 'stocks' in read && read.stocks.some((stock) => stock.price > 50)
          ? { ok: false, reason: 'INVALID_PRICE', detail: 'price is over 50' }
          : read
      },
    }
    // Not JSON at all: dead-lettered either way, so it comes back with its redrive counted.
    const broken = { key: 'broken', value: '{"ticker":' }
    const processorSink = new KafkajsSink({ ...connection, clientId: 'ops-strict' })
    const events: number[] = []
    const mapping = new LocalEventSourceMapping({
      kafka: createKafka({ ...connection, clientId: 'ops-strict-mapping' }, createBrokerResolver(connection)),
      topic: TOPICS.source,
      consumerGroupId: PROCESSOR_GROUP,
      batchSize: 100,
      maximumBatchingWindowMs: 200,
      eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/ops',
      bootstrapServers: [BROKER],
      handler: async (event) => {
        const summary = await processorHandler({
          sink: processorSink,
          sinkTopic: TOPICS.sink,
          deadLetterTopic: TOPICS.dlq,
          format: overFifty,
        })(event)
        events.push(summary.deadLettered)
        return summary
      },
    })
    await mapping.start()
    await produce(TOPICS.source, [...poison, broken])
    await until(async () => (await endOffsets(TOPICS.dlq)) >= 6)
    await mapping.stop()
    await processorSink.close()
    expect(await endOffsets(TOPICS.sink)).toBe(sinkBefore)

    const dryRun = await ops('redrive', ['--dry-run'])
    expect(dryRun).toMatchObject({
      selected: 6,
      written: 0,
      selectedByReason: { INVALID_PRICE: 5, INVALID_JSON: 1 },
    })
    const first = await ops('redrive')
    expect(first).toMatchObject({ selected: 6, written: 5, deadLetteredAgain: 1 })
    const second = await ops('redrive')
    // Only the record dead-lettered again is read, and it is not redriven without --force.
    expect(second).toMatchObject({ selected: 0, written: 0, skipped: { 'redriven-before': 1 } })
    const forced = await ops('redrive', ['--force'])
    expect(forced).toMatchObject({ selected: 7, written: 5, deadLetteredAgain: 2 })

    // The redriven records reach the sink at their source coordinates, once per redrive that wrote them,
    // without the dead letter's headers.
    const poisonValues = new Set(poison.map((p) => p.value))
    const poisonAt = new Set(
      (await readAll(TOPICS.source))
        .filter((r) => poisonValues.has(r.value ?? ''))
        .map((r) => `${r.partition}@${r.offset}`),
    )
    const redriven = (await readAll(TOPICS.sink)).filter((r) => poisonAt.has(coordinates(r)))
    expect(redriven).toHaveLength(10)
    expect(redriven.every((r) => r.headers['dlq.redrives'] === undefined)).toBe(true)
    const deadLetters = await readAll(TOPICS.dlq)
    const again = deadLetters.filter((r) => r.key === 'broken')
    // The first redrive counted 1; the forced one (a new filter set, read from the start) took both the
    // original (counted 1 again) and the one dead-lettered again (counted 2).
    expect(again.map((r) => r.headers['dlq.redrives'])).toEqual([undefined, '1', '1', '2'])
    for (const letter of again) expect(letter.value).toBe(broken.value)

    const status = await ops('status')
    expect(status.deadLettersByReason).toEqual({ INVALID_PRICE: 5, INVALID_JSON: 4 })
  })

  it('replay killed halfway and run again: nothing lost, duplicates only from the batch under way', {
    timeout: 240_000,
  }, async () => {
    const sinkBefore = await endOffsets(TOPICS.sink)
    const failure = {
      requestId: 'load',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:processor',
      condition: 'RetriesExhausted' as const,
      approximateInvokeCount: 3,
      functionError: 'Unhandled' as const,
      at: new Date(),
    }
    const RECORDS = 20_000
    const records: MskRecord[] = stockMessages(Math.ceil(RECORDS / 17))
      .slice(0, RECORDS)
      .map((message, i) => ({
        topic: TOPICS.source,
        partition: i % 2,
        offset: 1_000_000 + i,
        timestamp: Date.now(),
        timestampType: 'CREATE_TIME',
        key: Buffer.from(message.key).toString('base64'),
        value: Buffer.from(message.value).toString('base64'),
        headers: [],
      }))
    const source = { eventSourceArn: 'arn:aws:kafka:local', bootstrapServers: BROKER }
    for (let i = 0; i < records.length; i += 500) {
      await produce(
        TOPICS.gaveUp,
        kafkaDestinationMessages(records.slice(i, i + 500), failure, source).map((m) => ({
          key: m.key?.toString() ?? null,
          value: m.value,
        })),
      )
    }

    const replay = spawnCommand('npm', ['run', '--silent', 'replay'], {
      env: { LOCAL_KAFKA_BOOTSTRAP_SERVERS: BROKER },
    })
    await until(async () => (await endOffsets(TOPICS.sink)) > sinkBefore, 120_000)
    replay.kill('SIGKILL')
    await replay.done
    const afterKill = (await endOffsets(TOPICS.sink)) - sinkBefore
    expect(afterKill).toBeLessThan(RECORDS)

    const resumed = await ops('replay')
    expect(resumed.selected).toBeGreaterThan(0)
    expect(resumed.selected).toBeLessThanOrEqual(RECORDS)
    const sink = (await readAll(TOPICS.sink)).filter((r) => Number(r.headers['source.offset']) >= 1_000_000)
    const seen = new Set(sink.map(coordinates))
    const duplicates = sink.length - seen.size
    console.log(
      `replay killed after ${afterKill} of ${RECORDS}; resumed with ${resumed.selected}; ${duplicates} duplicates`,
    )
    expect(seen.size).toBe(RECORDS)
    // The replay acknowledges (commits) every 500 records once the sink has them: a kill repeats fewer.
    expect(duplicates).toBeLessThanOrEqual(500)
  })
  it('an SQS destination: the mapping sends the documented invocation record, replay reads the ranges back', {
    timeout: 240_000,
  }, async () => {
    sqsServer('start')
    const sqs = new SQSClient({
      endpoint: SQS.endpoint,
      region: SQS_CREDENTIALS.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'processor-failures' }))
    if (queueUrl === undefined) throw new Error('no queue URL')
    await produce(TOPICS.source, stockMessages(2))
    const total = await endOffsets(TOPICS.source)
    const sinkBefore = await endOffsets(TOPICS.sink)
    const dlqBefore = await endOffsets(TOPICS.dlq)

    const gaveUp: GiveUpReport[] = []
    const mapping = new LocalEventSourceMapping({
      kafka: createKafka({ ...connection, clientId: 'ops-sqs-mapping' }, createBrokerResolver(connection)),
      topic: TOPICS.source,
      consumerGroupId: 'ops-sqs',
      batchSize: 10_000,
      maximumBatchingWindowMs: 300,
      maximumRetryAttempts: 0,
      onFailure: new SqsQueueDestination(sqs, queueUrl),
      eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/ops',
      bootstrapServers: [BROKER],
      retryDelayMs: () => 100,
      onGiveUp: (report) => gaveUp.push(report),
      handler: async () => {
        throw new Error('the processor is down')
      },
    })
    await mapping.start()
    await until(() => gaveUp.reduce((sum, g) => sum + g.records, 0) >= total)
    await until(
      async () => (await committedOffsets('ops-sqs', TOPICS.source)).reduce((a, b) => a + b, 0) === total,
    )
    await mapping.stop()

    // The documented SQS invocation record: the coordinates of the batch, not its records.
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    )
    expect(Messages.length).toBeGreaterThan(0)
    for (const message of Messages) {
      const record = JSON.parse(message.Body ?? '')
      expect(record.requestContext).toMatchObject({
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 1,
      })
      expect(record.payload).toBeUndefined()
      for (const [id, range] of Object.entries(record.KafkaBatchInfo.recordsInfo)) {
        expect(id).toMatch(/^stocks-in-[01]$/)
        expect(range).toEqual({
          firstRecordOffset: expect.stringMatching(/^\d+$/),
          lastRecordOffset: expect.stringMatching(/^\d+$/),
          firstRecordTimestamp: expect.stringMatching(/Z$/),
          lastRecordTimestamp: expect.stringMatching(/Z$/),
        })
      }
    }

    const replay = await ops('replay', ['--queue-url', queueUrl, '--sqs-endpoint', SQS.endpoint])
    expect(replay.selected).toBe(total)
    expect(replay.written + replay.deadLettered).toBe(total)
    expect((await endOffsets(TOPICS.sink)) - sinkBefore).toBe(replay.written)
    expect((await endOffsets(TOPICS.dlq)) - dlqBefore).toBe(replay.deadLettered)
    // Acknowledged, so deleted: nothing is left to replay.
    expect(await ops('replay', ['--queue-url', queueUrl, '--sqs-endpoint', SQS.endpoint])).toMatchObject({
      messages: 0,
      selected: 0,
    })
    sqs.destroy()
  })

  it('replay --partition must name a partition the source topic has: refused, with those it has, before reading', async () => {
    const result = await opsCommand('replay', ['--partition', '9', '--dry-run'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('npm run replay: --partition 9: stocks-in has partitions 0, 1')
    expect(result.stdout).toBe('')
  })
})

async function committedOffsets(groupId: string, topic: string): Promise<number[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] })
    return (offsets?.partitions ?? []).map((p) => Number(p.offset))
  } finally {
    await admin.disconnect()
  }
}

/** No offsets yet, for an error Kafka says is passing (retriable); any other error fails the test. */
function notYetIfRetriable(error: unknown): number[] {
  if ((error as { retriable?: unknown }).retriable === true) return []
  throw error
}
