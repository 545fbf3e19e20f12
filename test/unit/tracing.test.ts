import middy from '@middy/core'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace'
import type { Context } from 'aws-lambda'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { OutgoingMessage, TopicMessages } from '../../lib/kafka/sink.js'
import { logger } from '../../lib/log.js'
import type { MskEvent, MskRecord } from '../../lib/msk/event.js'
import { processMskEvent } from '../../lib/processor/process-event.js'
import { produceStockBatches } from '../../lib/producer/produce-batches.js'
import { invocationContext, traceInvocation } from '../../lib/tracing/invocation.js'
import { MAX_LINKS, recordProcessorSpans } from '../../lib/tracing/processor-spans.js'
import { traceProducerBatches } from '../../lib/tracing/producer-spans.js'
import type { Env, SamplerName } from '../../lib/tracing/settings.js'
import { startTracing, type Tracing } from '../../lib/tracing/tracing.js'
import { lambdaContext } from '../../scripts/local/lambda-context.js'
import { format } from '../support/format.js'
import { MemorySink } from '../support/memory-sink.js'

/**
 * The tracing as the handlers use it, spans caught by OpenTelemetry's InMemorySpanExporter: the producer
 * (through the same middleware and hook as functions/producer.ts), its records as Lambda delivers them to
 * the processor, and the processor's spans recorded from what processMskEvent returned.
 */
const TOPIC = 'stocks-in'
const SAMPLED = '00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01'
const UNSAMPLED = '00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-00'

function traced(
  defaultSampler: SamplerName,
  env: Env = {},
): { tracing: Tracing; spans: () => ReadableSpan[] } {
  const exporter = new InMemorySpanExporter()
  const tracing = startTracing({ name: 'test', defaultSampler, env, exporter })
  return { tracing, spans: () => exporter.getFinishedSpans() }
}

/** The producer handler's shape: the invocation's span around produceStockBatches, batches traced below it. */
async function produce(tracing: Tracing, sink: MemorySink, batches = 2): Promise<void> {
  const handler = middy<unknown, unknown, Error, Context>()
    .use(traceInvocation(tracing, 'timer'))
    .handler((_event, context) =>
      produceStockBatches({
        sink,
        sourceTopic: TOPIC,
        batchesPerInvocation: batches,
        batchIntervalMs: 0,
        sendBudgetMs: 0,
        remainingTimeMs: () => 60_000,
        traceBatch: traceProducerBatches(tracing, invocationContext(context)),
      }),
    )
  await handler({}, lambdaContext('producer', 60_000))
}

/** What the producer sent, as Lambda's MSK event delivers it: header bytes as Java's, one partition each. */
function asEvent(
  sent: readonly TopicMessages[][],
  partitionOf: (batch: number) => number = () => 0,
): MskEvent {
  const records: Record<string, MskRecord[]> = {}
  sent.forEach((batches, batch) => {
    for (const message of batches.flatMap((b) => b.messages)) {
      const partition = partitionOf(batch)
      const id = `${TOPIC}-${partition}`
      const list = records[id] ?? []
      records[id] = list
      list.push(mskRecord(message, partition, list.length))
    }
  })
  return { eventSource: 'aws:kafka', eventSourceArn: 'arn:aws:kafka:local', records }
}

function mskRecord(message: OutgoingMessage, partition: number, offset: number): MskRecord {
  return {
    topic: TOPIC,
    partition,
    offset,
    timestamp: Date.now(),
    timestampType: 'CREATE_TIME',
    key: Buffer.from(String(message.key)).toString('base64'),
    value: Buffer.from(String(message.value)).toString('base64'),
    headers: (message.headers ?? []).map(({ key, value }) => ({
      [key]: [...Buffer.from(value)].map((b) => (b > 127 ? b - 256 : b)),
    })),
  }
}

const withTraceparent = (record: MskRecord, traceparent: string): MskRecord => ({
  ...record,
  headers: [{ traceparent: [...Buffer.from(traceparent)] }],
})

const traceparentOf = (message: OutgoingMessage | undefined) =>
  message?.headers?.find((h) => h.key === 'traceparent')?.value.toString()

/** processMskEvent, then the processor's spans recorded from its result, as functions/processor.ts does. */
async function processTraced(tracing: Tracing, event: MskEvent, sink = new MemorySink()) {
  const startedAt = Date.now()
  const result = await processMskEvent(event, {
    sink,
    sinkTopic: 'stocks-out',
    deadLetterTopic: 'stocks-dlq',
    format,
  })
  recordProcessorSpans(tracing, result, lambdaContext('processor', 60_000), {
    startedAt,
    endedAt: Date.now(),
  })
  await tracing.flush()
  return { result, sink }
}

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name)
const contextOf = (span: ReadableSpan | undefined) => ({
  traceId: span?.spanContext().traceId,
  spanId: span?.spanContext().spanId,
})

const savedTraceHeader = process.env._X_AMZN_TRACE_ID
beforeEach(() => {
  // Dead letters and failed partitions are logged; their logs are not what these tests check.
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined)
  vi.spyOn(logger, 'error').mockImplementation(() => undefined)
})
afterEach(() => {
  vi.restoreAllMocks()
  if (savedTraceHeader === undefined) delete process.env._X_AMZN_TRACE_ID
  else process.env._X_AMZN_TRACE_ID = savedTraceHeader
})

describe('producer → processor → sink: linked traces', () => {
  it('records the producer invocation and each batch it sends, each record carrying its batch', async () => {
    const { tracing, spans } = traced('parentbased_always_on')
    const sink = new MemorySink()
    await produce(tracing, sink)

    const [invocation, ...others] = byName(spans(), 'producer')
    expect(others).toEqual([])
    expect(invocation?.kind).toBe(SpanKind.SERVER)
    expect(invocation?.parentSpanContext).toBeUndefined()
    expect(invocation?.attributes).toMatchObject({ 'faas.trigger': 'timer', 'faas.coldstart': true })
    const batches = byName(spans(), `send ${TOPIC}`)
    expect(batches).toHaveLength(2)
    for (const [i, batch] of batches.entries()) {
      expect(batch.kind).toBe(SpanKind.PRODUCER)
      expect(batch.parentSpanContext?.spanId).toBe(invocation?.spanContext().spanId)
      expect(batch.spanContext().traceId).toBe(invocation?.spanContext().traceId)
      expect(batch.attributes).toEqual({
        'messaging.system': 'kafka',
        'messaging.system.name': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': TOPIC,
        'messaging.batch.message_count': 17,
        'stocks.batch.number': i + 1,
        'stocks.partitions': [0],
      })
      // Each record of the batch carries the batch span as its parent, sampled: W3C traceparent.
      const { traceId, spanId } = batch.spanContext()
      const records = sink.sent[i]?.flatMap((b) => b.messages) ?? []
      expect(new Set(records.map(traceparentOf))).toEqual(new Set([`00-${traceId}-${spanId}-01`]))
    }
  })

  it('marks a batch the brokers refused failed, and the invocation with it', async () => {
    const { tracing, spans } = traced('parentbased_always_on')
    const sink = new MemorySink()
    sink.failNext = new Error('KafkaJSNumberOfRetriesExceeded')
    await expect(produce(tracing, sink, 2)).rejects.toThrow('Batch 1 of 2 failed')
    const [batch] = byName(spans(), `send ${TOPIC}`)
    expect(batch?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'KafkaJSNumberOfRetriesExceeded' })
    expect(batch?.events.map((e) => e.name)).toEqual(['exception'])
    const [invocation] = byName(spans(), 'producer')
    expect(invocation?.status.code).toBe(SpanStatusCode.ERROR)
    expect(invocation?.attributes['error.type']).toBe('KafkaDeliveryError')
  })

  it('links the processor invocation and its partition batches to the producer batches, and the sink records carry them on', async () => {
    const producer = traced('parentbased_always_on')
    const sent = new MemorySink()
    await produce(producer.tracing, sent, 3)
    const batches = byName(producer.spans(), `send ${TOPIC}`)

    const processor = traced('parentbased_always_off')
    // Batches 1 and 2 on partition 0, batch 3 on partition 1.
    const { sink } = await processTraced(
      processor.tracing,
      asEvent(sent.sent, (b) => (b < 2 ? 0 : 1)),
    )
    const spans = processor.spans()
    const [invocation] = byName(spans, 'processor')
    expect(invocation?.kind).toBe(SpanKind.CONSUMER)
    // A trace of its own (Lambda does not trace MSK-triggered invocations), linked to every upstream batch.
    expect(invocation?.parentSpanContext).toBeUndefined()
    expect(batches.map((b) => b.spanContext().traceId)).not.toContain(invocation?.spanContext().traceId)
    expect(invocation?.links.map((l) => contextOf({ spanContext: () => l.context } as ReadableSpan))).toEqual(
      batches.map(contextOf),
    )
    expect(invocation?.attributes).toMatchObject({
      'faas.trigger': 'pubsub',
      'messaging.batch.message_count': 51,
      'stocks.records.written': 51,
      'stocks.upstream.contexts': 3,
    })

    const partitions = byName(spans, `process ${TOPIC}`)
    expect(partitions.map((p) => p.attributes['messaging.destination.partition.id'])).toEqual(['0', '1'])
    for (const part of partitions) {
      expect(part.parentSpanContext?.spanId).toBe(invocation?.spanContext().spanId)
      expect(part.kind).toBe(SpanKind.CONSUMER)
    }
    const linked = (i: number) => partitions[i]?.links.map((l) => l.context.spanId)
    expect(linked(0)).toEqual([batches[0], batches[1]].map((b) => b?.spanContext().spanId))
    expect(linked(1)).toEqual([batches[2]?.spanContext().spanId])

    // The sink records carry their producer batch's context on: a reader of the sink joins the same trace.
    const out = sink.messagesFor('stocks-out')
    expect(out).toHaveLength(51)
    const sourceTraceparents = sent.sent.flatMap((b) => b.flatMap((t) => t.messages)).map(traceparentOf)
    expect(out.map(traceparentOf)).toEqual(sourceTraceparents)
  })

  it('says per partition batch what became of its records, dead letters by reason', async () => {
    const { tracing, spans } = traced('parentbased_always_off')
    const good = (offset: number) =>
      withTraceparent(
        mskRecord(
          {
            key: '{"ticker":"AAPL"}',
            value: '{"event_time":"2026-11-24 09:00:00.000001","ticker":"AAPL","price":1.5}',
          },
          3,
          offset,
        ),
        SAMPLED,
      )
    const bad = (offset: number, value: string) => ({
      ...good(offset),
      value: Buffer.from(value).toString('base64'),
    })
    const event: MskEvent = {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:local',
      records: {
        [`${TOPIC}-3`]: [good(40), bad(41, 'not json'), bad(42, 'not json'), bad(43, '{"ticker":"AAPL"}')],
      },
    }
    // The reasons as the sink format gives them: a format's own tests pin which reason is whose.
    const reasonFor = (value: string) => {
      const read = format.read(value, 'strict')
      if (read.ok) throw new Error(`the sink format accepts ${value}`)
      return read.reason
    }
    await processTraced(tracing, event)
    const [part] = byName(spans(), `process ${TOPIC}`)
    expect(part?.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.system.name': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': TOPIC,
      'messaging.destination.partition.id': '3',
      'messaging.batch.message_count': 4,
      'stocks.offset.first': 40,
      'stocks.records.written': 1,
      'stocks.records.dead_lettered': 3,
      'stocks.upstream.contexts': 1,
      [`stocks.dead_letter.${reasonFor('not json')}`]: 2,
      [`stocks.dead_letter.${reasonFor('{"ticker":"AAPL"}')}`]: 1,
    })
    expect(part?.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('marks a partition batch the brokers did not acknowledge failed, with its error', async () => {
    const { tracing, spans } = traced('parentbased_always_off')
    const sink = new MemorySink()
    sink.failWhen = (batches) =>
      batches.some((b) =>
        b.messages.some((m) =>
          m.headers?.some((h) => h.key === 'source.partition' && String(h.value) === '1'),
        ),
      )
        ? new Error('NOT_ENOUGH_REPLICAS')
        : undefined
    const record = (partition: number) =>
      withTraceparent(
        mskRecord(
          { key: 'k', value: '{"event_time":"2026-11-24 09:00:00.000001","ticker":"V","price":2}' },
          partition,
          0,
        ),
        SAMPLED,
      )
    await processTraced(
      tracing,
      {
        eventSource: 'aws:kafka',
        eventSourceArn: 'arn',
        records: { [`${TOPIC}-0`]: [record(0)], [`${TOPIC}-1`]: [record(1)] },
      },
      sink,
    )
    const [ok, failed] = byName(spans(), `process ${TOPIC}`)
    expect(ok?.status.code).toBe(SpanStatusCode.UNSET)
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'NOT_ENOUGH_REPLICAS' })
    expect(failed?.attributes['error.type']).toBe('Error')
    expect(failed?.events.map((e) => e.name)).toEqual(['exception'])
    const [invocation] = byName(spans(), 'processor')
    expect(invocation?.status).toEqual({ code: SpanStatusCode.ERROR, message: '1 records not acknowledged' })
  })
})

describe('links: one per distinct upstream context', () => {
  it(`links each distinct context once, the sampled first, at most ${MAX_LINKS}, and counts them all`, async () => {
    const { tracing, spans } = traced('parentbased_always_off')
    const base = mskRecord(
      { key: 'k', value: '{"event_time":"2026-11-24 09:00:00.000001","ticker":"V","price":2}' },
      0,
      0,
    )
    const span = (i: number) => i.toString(16).padStart(16, '0')
    const records: MskRecord[] = []
    // 25 distinct contexts, each on two records (one run, then once more later); 3 of them unsampled.
    for (let i = 1; i <= 25; i++) {
      const flags = i <= 3 ? '00' : '01'
      const traceparent = `00-4efaaf4d1e8720b39541901950019ee5-${span(i)}-${flags}`
      records.push(withTraceparent({ ...base, offset: records.length }, traceparent))
      records.push(withTraceparent({ ...base, offset: records.length }, traceparent))
    }
    records.push(
      withTraceparent(
        { ...base, offset: records.length },
        `00-4efaaf4d1e8720b39541901950019ee5-${span(4)}-01`,
      ),
    )
    await processTraced(tracing, {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn',
      records: { [`${TOPIC}-0`]: records },
    })
    const [part] = byName(spans(), `process ${TOPIC}`)
    const linked = part?.links.map((l) => l.context.spanId) ?? []
    expect(linked).toHaveLength(MAX_LINKS)
    expect(new Set(linked).size).toBe(MAX_LINKS)
    expect(linked).toEqual(Array.from({ length: MAX_LINKS }, (_, i) => span(i + 4)))
    expect(part?.attributes['stocks.upstream.contexts']).toBe(25)
  })
})

describe('nothing recorded when not sampled or switched off', () => {
  const plainRecord = (offset: number) =>
    mskRecord(
      { key: 'k', value: '{"event_time":"2026-11-24 09:00:00.000001","ticker":"V","price":2}' },
      0,
      offset,
    )
  const eventOf = (records: MskRecord[]): MskEvent => ({
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn',
    records: { [`${TOPIC}-0`]: records },
  })

  it('the processor records nothing when the producer sampled none of its records', async () => {
    const { tracing, spans } = traced('parentbased_always_off')
    await processTraced(tracing, eventOf([withTraceparent(plainRecord(0), UNSAMPLED)]))
    expect(spans()).toEqual([])
  })

  it('the processor records nothing for records that carry no context, unless OTEL_TRACES_SAMPLER says so', async () => {
    const off = traced('parentbased_always_off')
    await processTraced(off.tracing, eventOf([plainRecord(0), plainRecord(1)]))
    expect(off.spans()).toEqual([])
    const on = traced('parentbased_always_off', { OTEL_TRACES_SAMPLER: 'parentbased_always_on' })
    await processTraced(on.tracing, eventOf([plainRecord(0)]))
    expect(
      on
        .spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['process stocks-in', 'processor'])
  })

  it('one sampled upstream context among unsampled ones is enough', async () => {
    const { tracing, spans } = traced('parentbased_always_off')
    await processTraced(
      tracing,
      eventOf([
        withTraceparent(plainRecord(0), UNSAMPLED),
        withTraceparent(plainRecord(1), SAMPLED.replace('53995c3f', '77777777')),
      ]),
    )
    expect(spans()).toHaveLength(2)
  })

  it('the producer follows the segment Lambda sampled, or not, and still carries the decision on', async () => {
    process.env._X_AMZN_TRACE_ID =
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'
    const sampled = traced('parentbased_always_on')
    await produce(sampled.tracing, new MemorySink(), 1)
    const [invocation] = byName(sampled.spans(), 'producer')
    expect(invocation?.spanContext().traceId).toBe('5759e988bd862e3fe1be46a994272793')
    expect(invocation?.parentSpanContext?.spanId).toBe('53995c3f42cd8ad8')

    process.env._X_AMZN_TRACE_ID =
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0'
    const unsampled = traced('parentbased_always_on')
    const sink = new MemorySink()
    await produce(unsampled.tracing, sink, 1)
    expect(unsampled.spans()).toEqual([])
    // The records say the trace was not sampled, so that nothing downstream records it either.
    expect(traceparentOf(sink.messagesFor(TOPIC)[0])).toMatch(
      /^00-5759e988bd862e3fe1be46a994272793-[0-9a-f]{16}-00$/,
    )
  })

  it('the processor is a child of the segment Lambda sampled, when there is one', async () => {
    process.env._X_AMZN_TRACE_ID =
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'
    const { tracing, spans } = traced('parentbased_always_off')
    await processTraced(tracing, eventOf([plainRecord(0)]))
    const [invocation] = byName(spans(), 'processor')
    expect(invocation?.parentSpanContext?.spanId).toBe('53995c3f42cd8ad8')
  })

  it('OTEL_SDK_DISABLED=true: no spans, and records carry no trace headers', async () => {
    const { tracing, spans } = traced('parentbased_always_on', { OTEL_SDK_DISABLED: 'true' })
    expect(tracing.enabled).toBe(false)
    const sink = new MemorySink()
    await produce(tracing, sink, 1)
    expect(sink.messagesFor(TOPIC).every((m) => m.headers === undefined)).toBe(true)
    await processTraced(tracing, eventOf([withTraceparent(plainRecord(0), SAMPLED)]))
    expect(spans()).toEqual([])
  })

  it('is off outside Lambda with nothing to export to, as `npm start` without --trace and the tests run', () => {
    expect(startTracing({ name: 'test', defaultSampler: 'parentbased_always_on', env: {} }).enabled).toBe(
      false,
    )
    expect(
      startTracing({
        name: 'test',
        defaultSampler: 'parentbased_always_on',
        env: { OTEL_TRACES_EXPORTER: 'none', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' },
      }).enabled,
    ).toBe(false)
  })
})
