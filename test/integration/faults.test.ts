import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import type { KafkaConnectionConfig } from '../../lib/config.js'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import { originalOf, redriveDecision } from '../../lib/ops/redrive.js'
import { DEAD_LETTER_HEADERS } from '../../lib/processor/dead-letter.js'
import { generateStockBatch } from '../../lib/stocks/generate.js'
import { stockJson, tickerKey } from '../../lib/stocks/stock.js'
import {
  type InvocationReport,
  LocalEventSourceMapping,
  type LocalMappingOptions,
} from '../../scripts/local/event-source-mapping.js'
import type { WorkerInvoker } from '../../scripts/local/invokers.js'
import { buildMskEvent, toMskRecord } from '../../scripts/local/msk-event.js'
import { KafkaTopicDestination } from '../../scripts/local/on-failure-destinations.js'
import { processorWorker } from '../../scripts/local/processor-worker.js'
import { fetchRecords } from '../../scripts/ops/topic-reader.js'
import { startTestBroker } from '../support/broker.js'
import { createTestTopics, LOCAL_BROKER, localKafkaConfig, readTopic, testKafka } from '../support/kafka.js'
import { processorHandler } from '../support/processor.js'
import { type PipelineTopics, type Reconciliation, reconcileWhenCaughtUp } from '../support/reconcile.js'

/**
 * The faults the pipeline promises to survive, each on the real broker and ending in a reconciliation:
 * every source record is on the sink, the dead-letter topic or the gave-up topic (none lost), the
 * duplicates are counted and no more than the batch under way when the fault struck, and the partition
 * moved on past the fault.
 */

const BATCH_SIZE = 100

/** Stock records as the producer writes them, keyed by ticker. */
function stockMessages(batches: number) {
  return Array.from({ length: batches }, () => generateStockBatch())
    .flat()
    .map((stock) => ({ key: tickerKey(stock.ticker), value: stockJson(stock) }))
}

async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  return producer
}

/** Sends batches of stock records every `everyMs` until told to stop; how many it wrote. */
function produceWhile(producer: Producer, topic: string, everyMs: number) {
  let running = true
  let written = 0
  const done = (async () => {
    while (running) {
      try {
        const messages = stockMessages(2)
        await producer.send({ topic, acks: -1, messages })
        written += messages.length
      } catch {
        // The broker is away (the fault): the next round tries again; what was not written is not in.
      }
      await sleep(everyMs)
    }
  })()
  return {
    stop: async () => {
      running = false
      await done
      return written
    },
  }
}

function mappingOf(
  connection: KafkaConnectionConfig,
  topics: PipelineTopics,
  options: Partial<LocalMappingOptions> & Pick<LocalMappingOptions, 'handler' | 'invokerFor'>,
): LocalEventSourceMapping {
  return new LocalEventSourceMapping({
    kafka: createKafka({ ...connection, clientId: 'faults-mapping' }, createBrokerResolver(connection)),
    topic: topics.source,
    consumerGroupId: `faults-${topics.source}`,
    batchSize: BATCH_SIZE,
    maximumBatchingWindowMs: 100,
    eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/faults',
    bootstrapServers: connection.bootstrapServers,
    retryDelayMs: () => 300,
    ...options,
  })
}

function expectReconciled(result: Reconciliation, duplicatesAtMost: number) {
  const summary = `in ${result.in}: sink ${result.sink}, dead letters ${result.deadLetters}, gave up ${result.gaveUp}, lost ${result.lost.length}, duplicates ${result.duplicates}`
  expect(result.lost, summary).toEqual([])
  expect(result.duplicates, summary).toBeLessThanOrEqual(duplicatesAtMost)
  return summary
}

describe('faults on the real broker, each reconciled', () => {
  const kafka = testKafka('faults')

  it('a worker killed by SIGKILL mid-run is replaced; its batch is retried and nothing is lost', {
    timeout: 180_000,
  }, async () => {
    const [source, sink, deadLetters] = await (async () => {
      const admin = kafka.admin()
      await admin.connect()
      try {
        return (await createTestTopics(admin, ['kill-in', 'kill-out', 'kill-dlq'])) as [
          string,
          string,
          string,
        ]
      } finally {
        await admin.disconnect()
      }
    })()
    const topics = { source, sink, deadLetters }
    const invokers: WorkerInvoker[] = []
    const killed: number[] = []
    const invocations: InvocationReport[] = []
    const mapping = mappingOf(localKafkaConfig(), topics, {
      invokerFor: (partition) => {
        const invoker = processorWorker({
          broker: LOCAL_BROKER,
          sinkTopic: sink,
          deadLetterTopic: deadLetters,
          functionName: `processor-${partition}`,
        })
        invokers.push(invoker)
        return invoker
      },
      onInvocation: (report) => invocations.push(report),
    })
    await mapping.start()
    const producer = await connectedProducer(kafka)
    const load = produceWhile(producer, source, 50)
    try {
      // Both environments run; then each is killed from outside, between or during its invocations.
      await expect.poll(() => invokers.filter((i) => i.pid !== undefined).length, { timeout: 60_000 }).toBe(2)
      for (const invoker of invokers) {
        killed.push(invoker.pid as number)
        process.kill(invoker.pid as number, 'SIGKILL')
        await sleep(1_500)
      }
      await sleep(2_000)
    } finally {
      await load.stop()
      await producer.disconnect()
    }
    const result = await reconcileWhenCaughtUp(kafka, topics)
    // Both environments were replaced by fresh ones, which took the invocations after the kills.
    const pids = invokers.map((invoker) => invoker.pid)
    await mapping.stop()

    // One batch per killed environment at most is written twice.
    const summary = expectReconciled(result, 2 * BATCH_SIZE)
    expect(result.sink, summary).toBe(result.in + result.duplicates)
    expect(
      pids.every((pid) => pid !== undefined && !killed.includes(pid)),
      `pids ${pids}, killed ${killed}`,
    ).toBe(true)
  })

  it('the broker killed (kill -9) under load: invocations fail while it is away, nothing is lost once it is back', {
    timeout: 240_000,
  }, async () => {
    const broker = await startTestBroker(mkdtempSync(join(tmpdir(), 'faults-kafka-')))
    try {
      const connection = localKafkaConfig({
        bootstrapServers: [broker.address],
        connectTimeoutMs: 1_000,
        sendTimeoutMs: 5_000,
      })
      const own = new Kafka({ clientId: 'faults-own', brokers: [broker.address], logLevel: logLevel.NOTHING })
      const admin = own.admin()
      await admin.connect()
      const topics = { source: 'k9-in', sink: 'k9-out', deadLetters: 'k9-dlq' }
      await admin.createTopics({
        topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
        waitForLeaders: true,
      })
      await admin.disconnect()
      const processorSink = new KafkajsSink({ ...connection, clientId: 'faults-processor' })
      const invocations: InvocationReport[] = []
      const mapping = mappingOf(connection, topics, {
        handler: processorHandler({
          sink: processorSink,
          sinkTopic: topics.sink,
          deadLetterTopic: topics.deadLetters,
        }),
        onInvocation: (report) => invocations.push(report),
      })
      await mapping.start()
      const producer = await connectedProducer(own)
      const load = produceWhile(producer, topics.source, 50)
      await sleep(3_000)
      broker.kill()
      await sleep(5_000)
      broker.start()
      await sleep(5_000)
      await load.stop()
      await producer.disconnect()

      const result = await reconcileWhenCaughtUp(own, topics, 120_000)
      await mapping.stop()
      await processorSink.close()
      // One batch per partition under way when the broker went.
      const summary = expectReconciled(result, 2 * BATCH_SIZE)
      expect(
        invocations.some((report) => report.error !== undefined),
        summary,
      ).toBe(true)
    } finally {
      broker.stop()
    }
  })

  it('records at and over the topics limit among good ones are dead-lettered to fit, and the partition moves on', {
    timeout: 120_000,
  }, async () => {
    const admin = kafka.admin()
    await admin.connect()
    // The source takes what a 5 MB producer sends; the sink and dead-letter topics keep Kafka's default.
    const [source, sink, deadLetters] = (await createTestTopics(admin, ['big-in', 'big-out', 'big-dlq'], 1, {
      'big-in': { 'max.message.bytes': '6291456' },
    })) as [string, string, string]
    await admin.disconnect()
    const topics = { source, sink, deadLetters }
    const producer = await connectedProducer(kafka)
    const big = (bytes: number) => ({ key: tickerKey('AAPL'), value: Buffer.alloc(bytes, 'x') })
    // What Kafka's default limit takes as a source record, and a value of 5 MB: neither leaves room for
    // the dead letter's headers under the dead-letter topic's default limit.
    await producer.send({ topic: source, acks: -1, messages: stockMessages(1) })
    await producer.send({ topic: source, acks: -1, messages: [big(1_048_470)] })
    await producer.send({ topic: source, acks: -1, messages: stockMessages(1) })
    await producer.send({ topic: source, acks: -1, messages: [big(5 * 1024 * 1024)] })
    await producer.send({ topic: source, acks: -1, messages: stockMessages(1) })
    await producer.disconnect()

    const processorSink = new KafkajsSink(localKafkaConfig({ clientId: 'faults-big' }))
    const invocations: InvocationReport[] = []
    const mapping = mappingOf(localKafkaConfig(), topics, {
      handler: processorHandler({ sink: processorSink, sinkTopic: sink, deadLetterTopic: deadLetters }),
      onInvocation: (report) => invocations.push(report),
    })
    await mapping.start()
    const result = await reconcileWhenCaughtUp(kafka, topics)
    await mapping.stop()
    await processorSink.close()

    const summary = expectReconciled(result, 0)
    expect([result.in, result.sink, result.deadLetters], summary).toEqual([53, 51, 2])
    expect(
      invocations.filter((report) => report.error !== undefined),
      summary,
    ).toEqual([])
    const letters = await readTopic(kafka, deadLetters, 2)
    expect(
      letters.map((letter) => [
        letter.headers[DEAD_LETTER_HEADERS.reason],
        letter.headers[DEAD_LETTER_HEADERS.truncated],
        letter.headers[DEAD_LETTER_HEADERS.valueBytes],
        letter.headers[DEAD_LETTER_HEADERS.offset],
      ]),
    ).toEqual([
      ['VALUE_TOO_LARGE', 'value', '1048470', '17'],
      ['VALUE_TOO_LARGE', 'value', String(5 * 1024 * 1024), '35'],
    ])
    // The whole record is read back from where each dead letter says, as npm run redrive reads it.
    for (const letter of letters) {
      const decision = redriveDecision(
        {
          key: letter.key === undefined ? null : Buffer.from(letter.key),
          value: letter.rawValue,
          headers: Object.entries(letter.rawHeaders).map(([key, value]) => ({ key, value })),
        },
        {},
      )
      if (!decision.redrive || decision.fetch === undefined)
        throw new Error('expected a dead letter cut to fit')
      const { partition, offset } = decision.fetch
      const [fetched] = await fetchRecords(kafka, source, [{ partition, from: offset, to: offset + 1 }])
      const whole = fetched === undefined ? undefined : originalOf(decision.record, fetched, decision.fetch)
      expect(Buffer.from(whole?.value ?? '', 'base64').length).toBe(
        Number(letter.headers[DEAD_LETTER_HEADERS.valueBytes]),
      )
    }
  })

  it('partial batch responses: a partition whose dead letters the topic refuses fails alone, and is given up on', {
    timeout: 180_000,
  }, async () => {
    const admin = kafka.admin()
    await admin.connect()
    // A dead-letter topic that takes less than the processor was told (maxMessageBytes): a misconfigured
    // stack, where one partition's dead letters are refused on every try.
    const [source, sink, deadLetters, gaveUp] = (await createTestTopics(
      admin,
      ['partial-in', 'partial-out', 'partial-dlq', 'partial-gave-up'],
      2,
      { 'partial-dlq': { 'max.message.bytes': '20000' } },
    )) as [string, string, string, string]
    await admin.disconnect()
    const topics = { source, sink, deadLetters, gaveUp }
    const producer = await connectedProducer(kafka)
    for (let round = 0; round < 3; round++) {
      await producer.send({
        topic: source,
        acks: -1,
        messages: stockMessages(2).map((message) => ({ ...message, partition: round % 2 })),
      })
    }
    // A 50 KB value that is not a stock record, on partition 1 only.
    await producer.send({
      topic: source,
      acks: -1,
      messages: [{ partition: 1, key: 'poison', value: 'x'.repeat(50_000) }],
    })
    await producer.send({
      topic: source,
      acks: -1,
      messages: stockMessages(2).map((m) => ({ ...m, partition: 0 })),
    })
    await producer.disconnect()

    // Lambda's events may span partitions ("A single Lambda payload can contain messages from multiple
    // partitions", with-msk-configure); the local mapping runs a lane per partition, so this test sends one
    // event with both partitions' records and follows the partial batch response as Lambda does.
    const processorSink = new KafkajsSink(localKafkaConfig({ clientId: 'faults-partial' }))
    const handle = processorHandler(
      { sink: processorSink, sinkTopic: sink, deadLetterTopic: deadLetters },
      true,
    )
    const input = await readTopic(kafka, source, 137)
    const records = input
      .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))
      .map((r) =>
        toMskRecord(source, r.partition, {
          key: r.key === undefined ? null : Buffer.from(r.key),
          value: r.rawValue,
          offset: r.offset,
          timestamp: String(Date.now()),
          headers: {},
          attributes: 0,
        } as never),
      )
    const eventSource = {
      eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/faults',
      bootstrapServers: [LOCAL_BROKER],
    }
    const groups = (pending: typeof records) =>
      [0, 1]
        .map((partition) => ({
          id: `${source}-${partition}`,
          records: pending.filter((r) => r.partition === partition),
        }))
        .filter((group) => group.records.length > 0)
    let pending = records
    const answers: unknown[] = []
    const maximumRetryAttempts = 2
    for (let attempt = 0; attempt <= maximumRetryAttempts && pending.length > 0; attempt++) {
      try {
        const failures = (await handle(buildMskEvent(groups(pending), eventSource))).batchItemFailures ?? []
        answers.push(failures)
        pending = pending.filter((record) =>
          failures.some(
            ({ itemIdentifier }) =>
              itemIdentifier.partition === `${record.topic}-${record.partition}` &&
              record.offset >= itemIdentifier.offset,
          ),
        )
      } catch (error) {
        // No partition acknowledged: an invocation error, and Lambda retries the whole event.
        answers.push((error as Error).name)
      }
    }
    // What the retries did not write goes to the on-failure destination, as the mapping records it.
    const destination = new KafkaTopicDestination(
      createKafka(localKafkaConfig({ clientId: 'faults-gave-up' }), async () => [LOCAL_BROKER]),
      gaveUp,
    )
    await destination.write(
      pending,
      {
        requestId: 'faults',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:processor',
        condition: 'RetriesExhausted',
        approximateInvokeCount: maximumRetryAttempts + 1,
        functionError: 'Unhandled',
        at: new Date(),
      },
      { eventSourceArn: eventSource.eventSourceArn, bootstrapServers: LOCAL_BROKER },
    )
    await destination.close()
    await processorSink.close()

    const result = await reconcileWhenCaughtUp(kafka, topics)
    // A refused request may still have written the partition's sink records (the broker takes a request's
    // topics one by one): each try of partition 1 may write its good records again. Partition 0, never.
    const partitionOne = records.filter((record) => record.partition === 1).length
    const summary = expectReconciled(result, (maximumRetryAttempts + 1) * partitionOne)
    // The first answer named partition 1 alone, and partition 0 was written then, once; the retries, of
    // partition 1 only, failed whole.
    expect(answers, summary).toEqual([
      [{ itemIdentifier: { partition: `${source}-1`, offset: 0 } }],
      'KafkaDeliveryError',
      'KafkaDeliveryError',
    ])
    expect(result.duplicatesByPartition['0'], summary).toBeUndefined()
    expect(pending.every((record) => record.partition === 1)).toBe(true)
    expect(result.gaveUp, summary).toBe(pending.length)
  })
})
