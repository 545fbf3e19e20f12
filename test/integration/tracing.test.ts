import { createSocket, type Socket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Context, ScheduledEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MskEvent, MskRecord } from '../../lib/msk/event.js'
import type { SegmentDocument } from '../../lib/tracing/segment.js'
import { parseTraceparent, parseXrayTraceHeader } from '../../lib/tracing/trace-context.js'
import {
  type ConsumedRecord,
  connectedAdmin,
  createTestTopics,
  LOCAL_BROKER,
  readTopic,
  testKafka,
} from '../support/kafka.js'

/**
 * The real producer and processor handlers, traced locally through the opt-in (LOCAL_XRAY_DAEMON_ADDRESS)
 * into a UDP listener that speaks the X-Ray daemon's protocol, on the real broker: the producer's
 * invocation, then the processor's on the records it wrote, read back as Lambda's mapping delivers them.
 */
const HEADER_LINE = '{"format":"json","version":1}'
const BATCHES = 2
const RECORDS = BATCHES * 17

const kafka = testKafka()
const admin = connectedAdmin(kafka)
const datagrams: string[] = []
let daemon: Socket
let source: string
let sinkTopic: string
let deadLetterTopic: string
let sourceRecords: ConsumedRecord[]
let sinkRecords: ConsumedRecord[]
let deadLetters: ConsumedRecord[]

const documents = () =>
  datagrams.map((datagram) => JSON.parse(datagram.slice(datagram.indexOf('\n') + 1)) as SegmentDocument)
/** The segment an invocation's trace starts with (locally, the stand-in for Lambda's): no parent. */
const invocationSegment = (name: string) =>
  documents().find((d) => d.name === name && d.parent_id === undefined)
const PRODUCER = 'msk-lambda-stocks-local-producer'
const PROCESSOR = 'msk-lambda-stocks-local-processor'

async function until(done: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what} from the daemon listener in ${timeoutMs} ms`)
    await sleep(20)
  }
}

function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 60_000
  return {
    functionName,
    functionVersion: '$LATEST',
    awsRequestId: `local-${functionName}`,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as unknown as Context
}

/** A record read back, as Lambda's MSK event carries it: base64 key and value, header bytes as Java's. */
function asMskRecord(record: ConsumedRecord): MskRecord {
  return {
    topic: source,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Date.now(),
    timestampType: 'CREATE_TIME',
    key: Buffer.from(record.key ?? '').toString('base64'),
    value: (record.rawValue ?? Buffer.alloc(0)).toString('base64'),
    headers: Object.entries(record.rawHeaders).map(([key, value]) => ({
      [key]: [...value].map((byte) => (byte > 127 ? byte - 256 : byte)),
    })),
  }
}

beforeAll(async () => {
  daemon = createSocket('udp4')
  daemon.on('message', (message) => datagrams.push(message.toString()))
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve))
  ;[source, sinkTopic, deadLetterTopic] = (await createTestTopics(admin(), [
    'stocks-in',
    'stocks-out',
    'stocks-dlq',
  ])) as [string, string, string]

  // The functions read their settings when loaded, as in Lambda: set them first.
  Object.assign(process.env, {
    LOCAL_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    KAFKA_BOOTSTRAP_SERVERS: LOCAL_BROKER,
    KAFKA_AUTH: 'none',
    SOURCE_TOPIC: source,
    SINK_TOPIC: sinkTopic,
    DEAD_LETTER_TOPIC: deadLetterTopic,
    PRODUCER_BATCHES_PER_INVOCATION: String(BATCHES),
    PRODUCER_BATCH_INTERVAL_MS: '50',
  })
  const producer = await import('../../functions/producer.js')
  const processor = await import('../../functions/processor.js')

  const schedule = JSON.parse(
    readFileSync(new URL('../../events/schedule.json', import.meta.url), 'utf8'),
  ) as ScheduledEvent
  await producer.handler(schedule, lambdaContext(PRODUCER))
  await until(() => invocationSegment(PRODUCER) !== undefined, 'producer trace')

  // One record the processor will dead-letter, sent as from the producer's first batch (same headers).
  const written = await readTopic(kafka, source, RECORDS)
  const first = written.find((record) => record.partition === 0) ?? written[0]
  const bad = kafka.producer()
  await bad.connect()
  await bad.send({
    topic: source,
    messages: [
      {
        partition: first?.partition ?? 0,
        key: first?.key ?? null,
        value: 'not json',
        headers: first?.rawHeaders,
      },
    ],
  })
  await bad.disconnect()
  sourceRecords = await readTopic(kafka, source, RECORDS + 1)

  const records: Record<string, MskRecord[]> = {}
  for (const record of [...sourceRecords].sort((a, b) => Number(a.offset) - Number(b.offset))) {
    const id = `${source}-${record.partition}`
    records[id] = [...(records[id] ?? []), asMskRecord(record)]
  }
  const event: MskEvent = { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:local', records }
  await processor.handler(event, lambdaContext(PROCESSOR))
  await until(() => invocationSegment(PROCESSOR) !== undefined, 'processor trace')
  sinkRecords = await readTopic(kafka, sinkTopic, RECORDS)
  deadLetters = await readTopic(kafka, deadLetterTopic, 1)
})

afterAll(async () => {
  daemon?.close()
  await admin()
    .deleteTopics({ topics: [source, sinkTopic, deadLetterTopic] })
    .catch(() => undefined)
})

describe('one trace per record, producer to sink, through the X-Ray daemon protocol', () => {
  it('speaks the daemon protocol: a header line, then one segment document per datagram', () => {
    expect(datagrams.length).toBeGreaterThan(0)
    for (const datagram of datagrams) expect(datagram.split('\n')[0]).toBe(HEADER_LINE)
    for (const document of documents()) {
      expect(document.id).toMatch(/^[0-9a-f]{16}$/)
      expect(document.trace_id).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/)
      expect(document.end_time).toBeGreaterThanOrEqual(document.start_time)
    }
  })

  it("the producer's records carry, in both forms, the batch subsegment that sent them", () => {
    const producer = invocationSegment(PRODUCER)
    const sends = documents().filter((d) => d.name === `send ${source}`)
    expect(sends.map((d) => [d.trace_id, d.annotations?.batch, d.annotations?.records])).toEqual([
      [producer?.trace_id, 1, 17],
      [producer?.trace_id, 2, 17],
    ])
    for (const record of sourceRecords) {
      const xray = parseXrayTraceHeader(record.headers['X-Amzn-Trace-Id'] ?? '')
      expect(xray).toEqual(parseTraceparent(record.headers.traceparent ?? ''))
      expect(xray?.traceId).toBe(producer?.trace_id)
      expect(sends.map((d) => d.id)).toContain(xray?.parentId)
    }
  })

  it('the processor records each partition batch, annotated and linked to the producer trace', () => {
    const producer = invocationSegment(PRODUCER)
    const processor = invocationSegment(PROCESSOR)
    expect(processor?.trace_id).not.toBe(producer?.trace_id)
    const batches = documents()
      .filter((d) => d.trace_id === processor?.trace_id && d.name.startsWith(`${source}-`))
      .sort((a, b) => a.name.localeCompare(b.name))
    expect(batches.length).toBeGreaterThan(0)
    for (const batch of batches) {
      const partition = Number(batch.name.slice(source.length + 1))
      const offsets = sourceRecords.filter((r) => r.partition === partition).map((r) => Number(r.offset))
      expect(batch.annotations).toMatchObject({
        topic: source,
        partition,
        firstOffset: Math.min(...offsets),
        lastOffset: Math.max(...offsets),
        batchSize: offsets.length,
        acknowledged: true,
        upstreamTraceIds: producer?.trace_id,
      })
    }
    // The injected bad record: dead-lettered, and said so on its partition's batch.
    const badPartition = sourceRecords.find((r) => r.value === 'not json')?.partition
    expect(batches.find((b) => b.annotations?.partition === badPartition)?.annotations).toMatchObject({
      deadLettered: 1,
      deadLetterReasons: deadLetters[0]?.headers['dlq.reason'],
    })
  })

  it("the processor continues the producer's trace under each batch that sent the records", () => {
    const producer = invocationSegment(PRODUCER)
    const processor = invocationSegment(PROCESSOR)
    const sends = documents().filter((d) => d.name === `send ${source}`)
    const continued = documents().filter((d) => d.name === PROCESSOR && d.trace_id === producer?.trace_id)
    expect(continued.length).toBeGreaterThanOrEqual(2)
    for (const segment of continued) {
      expect(sends.map((d) => d.id)).toContain(segment.parent_id)
      expect(segment.annotations?.processorTraceId).toBe(processor?.trace_id)
    }
    // Every record of the source topic is accounted for in the producer's trace.
    expect(continued.reduce((n, d) => n + Number(d.annotations?.records), 0)).toBe(RECORDS + 1)
  })

  it('the sink records carry the producer context on, next to where they came from', () => {
    expect(sinkRecords).toHaveLength(RECORDS)
    const sourceAt = new Map(sourceRecords.map((r) => [`${r.partition}@${r.offset}`, r]))
    for (const record of sinkRecords) {
      const origin = sourceAt.get(`${record.headers['source.partition']}@${record.headers['source.offset']}`)
      expect(record.headers['X-Amzn-Trace-Id']).toBe(origin?.headers['X-Amzn-Trace-Id'])
      expect(record.headers.traceparent).toBe(origin?.headers.traceparent)
    }
  })
})
