import { createSocket, type Socket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ScheduledEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MskEvent, MskRecord } from '../../lib/msk/event.js'
import { lambdaContext } from '../../scripts/local/lambda-context.js'
import {
  type ConsumedRecord,
  connectedAdmin,
  createTestTopics,
  LOCAL_BROKER,
  readTopic,
  testKafka,
} from '../support/kafka.js'
import { type DecodedSpan, decodeDaemonDatagram } from '../support/otlp.js'

/**
 * The real producer and processor handlers on the real broker, their spans sent by the real export path,
 * OTLP over UDP in the X-Ray daemon's protocol (as in Lambda, where it is the default), to a UDP listener
 * on 127.0.0.1 that decodes them with OpenTelemetry's own OTLP classes: the producer's invocation, then
 * the processor's on the records it wrote, read back as Lambda's mapping delivers them.
 */
const BATCHES = 2
const RECORDS = BATCHES * 17
const PRODUCER = 'msk-lambda-stocks-local-producer'
const PROCESSOR = 'msk-lambda-stocks-local-processor'

const kafka = testKafka()
const admin = connectedAdmin(kafka)
const datagrams: Buffer[] = []
let daemon: Socket
let source: string
let sinkTopic: string
let deadLetterTopic: string
let sourceRecords: ConsumedRecord[]
let sinkRecords: ConsumedRecord[]
let deadLetters: ConsumedRecord[]

const decoded = () => datagrams.map((datagram) => decodeDaemonDatagram(datagram))
const spans = (): DecodedSpan[] => decoded().flatMap((d) => d?.spans ?? [])
const named = (name: string) => spans().filter((span) => span.name === name)

async function until(done: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what} from the daemon listener in ${timeoutMs} ms`)
    await sleep(20)
  }
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
  daemon.on('message', (message) => datagrams.push(message))
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve))
  ;[source, sinkTopic, deadLetterTopic] = (await createTestTopics(admin(), [
    'stocks-in',
    'stocks-out',
    'stocks-dlq',
  ])) as [string, string, string]

  // The functions read their settings when loaded, as in Lambda: set them first. OTLP over UDP to the
  // daemon's address is what a function sends in Lambda by default; outside Lambda, ADOT's own variables
  // ask for it.
  Object.assign(process.env, {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'udp',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
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
  await producer.handler(schedule, lambdaContext(PRODUCER, 60_000))
  await until(() => named(PRODUCER).length > 0, 'producer spans')

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
  await processor.handler(event, lambdaContext(PROCESSOR, 60_000))
  await until(() => named(PROCESSOR).length > 0, 'processor spans')
  sinkRecords = await readTopic(kafka, sinkTopic, RECORDS)
  deadLetters = await readTopic(kafka, deadLetterTopic, 1)
})

afterAll(async () => {
  daemon?.close()
  for (const name of [
    'OTEL_TRACES_EXPORTER',
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    'AWS_XRAY_DAEMON_ADDRESS',
  ]) {
    delete process.env[name]
  }
  await admin()
    .deleteTopics({ topics: [source, sinkTopic, deadLetterTopic] })
    .catch(() => undefined)
})

describe('one record’s way, producer to sink, through OTLP over UDP to the X-Ray daemon', () => {
  it('speaks the daemon protocol: a header line, then T1S and an OTLP request in base64', () => {
    expect(datagrams.length).toBeGreaterThan(0)
    for (const one of decoded()) expect(one?.sampled).toBe(true)
    for (const span of spans()) {
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(span.spanId).toMatch(/^[0-9a-f]{16}$/)
      expect(span.endMs).toBeGreaterThanOrEqual(span.startMs)
    }
  })

  it("the producer's records carry the batch span that sent them, in its trace", () => {
    const [invocation] = named(PRODUCER)
    expect(invocation?.service).toBe('msk-lambda-stocks-producer')
    const sends = named(`send ${source}`)
    expect(sends.map((s) => [s.traceId, s.parentSpanId, s.attributes['stocks.batch.number']])).toEqual([
      [invocation?.traceId, invocation?.spanId, 1],
      [invocation?.traceId, invocation?.spanId, 2],
    ])
    for (const send of sends) {
      expect(send.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.destination.name': source,
        'messaging.operation.type': 'send',
        'messaging.batch.message_count': 17,
      })
    }
    for (const record of sourceRecords) {
      const [, traceId, spanId, flags] = (record.headers.traceparent ?? '').split('-')
      expect(traceId).toBe(invocation?.traceId)
      expect(sends.map((s) => s.spanId)).toContain(spanId)
      expect(flags).toBe('01')
    }
  })

  it('the processor records each partition batch in a trace of its own, linked to the producer batches', () => {
    const [invocation] = named(PROCESSOR)
    const [producer] = named(PRODUCER)
    const sends = named(`send ${source}`).map((s) => s.spanId)
    expect(invocation?.service).toBe('msk-lambda-stocks-processor')
    expect(invocation?.traceId).not.toBe(producer?.traceId)
    expect(invocation?.links.map((l) => l.spanId).sort()).toEqual([...sends].sort())
    const batches = named(`process ${source}`)
    expect(batches.length).toBeGreaterThan(0)
    for (const batch of batches) {
      expect(batch.traceId).toBe(invocation?.traceId)
      expect(batch.parentSpanId).toBe(invocation?.spanId)
      const partition = Number(batch.attributes['messaging.destination.partition.id'])
      const records = sourceRecords.filter((r) => r.partition === partition)
      const linked = new Set(records.map((r) => (r.headers.traceparent ?? '').split('-')[2]))
      expect(batch.links.map((l) => l.spanId).sort()).toEqual([...linked].sort())
      for (const link of batch.links) expect(link.traceId).toBe(producer?.traceId)
      expect(batch.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.destination.name': source,
        'messaging.operation.type': 'process',
        'messaging.batch.message_count': records.length,
        'stocks.offset.first': Math.min(...records.map((r) => Number(r.offset))),
      })
    }
    // The injected bad record: dead-lettered, and said so, by its reason, on its partition's batch.
    const badPartition = sourceRecords.find((r) => r.value === 'not json')?.partition
    const reason = deadLetters[0]?.headers['dlq.reason']
    const bad = batches.find(
      (b) => b.attributes['messaging.destination.partition.id'] === String(badPartition),
    )
    expect(bad?.attributes).toMatchObject({
      'stocks.records.dead_lettered': 1,
      [`stocks.dead_letter.${reason}`]: 1,
    })
  })

  it('the sink records carry the producer context on, next to where they came from', () => {
    expect(sinkRecords).toHaveLength(RECORDS)
    const sourceAt = new Map(sourceRecords.map((r) => [`${r.partition}@${r.offset}`, r]))
    for (const record of sinkRecords) {
      const origin = sourceAt.get(`${record.headers['source.partition']}@${record.headers['source.offset']}`)
      expect(record.headers.traceparent).toBe(origin?.headers.traceparent)
      expect(record.headers['X-Amzn-Trace-Id']).toBeUndefined()
    }
  })
})
