import { createSocket } from 'node:dgram'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { SpanKind } from '@opentelemetry/api'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { encodeDatagrams, XRayDaemonExporter } from '../../lib/tracing/daemon-exporter.js'
import { startTracing } from '../../lib/tracing/tracing.js'
import { decodeDaemonDatagram, decodeTraceRequest } from '../support/otlp.js'

/** Finished spans, made by the SDK as the functions make them. */
function spans(count: number, attributeBytes = 10): ReadableSpan[] {
  const memory = new InMemorySpanExporter()
  const tracing = startTracing({
    name: 'export-test',
    defaultSampler: 'always_on',
    env: {},
    exporter: memory,
  })
  for (let i = 0; i < count; i++) {
    tracing.tracer
      .startSpan(`span ${i}`, { kind: SpanKind.PRODUCER, attributes: { filler: 'x'.repeat(attributeBytes) } })
      .end()
  }
  return memory.getFinishedSpans()
}

async function until(done: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what} in ${timeoutMs} ms`)
    await sleep(10)
  }
}

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

describe('OTLP over UDP to the X-Ray daemon', () => {
  it('puts the spans in one datagram when they fit, and halves them until each part fits', () => {
    const ten = spans(10, 1_000)
    const one = encodeDatagrams(ten)
    expect(one).toMatchObject({ dropped: 0 })
    expect(one.datagrams).toHaveLength(1)
    expect(decodeDaemonDatagram(one.datagrams[0] as Buffer)?.spans.map((s) => s.name)).toEqual(
      ten.map((s) => s.name),
    )

    const split = encodeDatagrams(ten, 4_000)
    expect(split.dropped).toBe(0)
    expect(split.datagrams.length).toBeGreaterThan(2)
    for (const datagram of split.datagrams) expect(datagram.length).toBeLessThanOrEqual(4_000)
    const names = split.datagrams.flatMap((d) => decodeDaemonDatagram(d)?.spans.map((s) => s.name) ?? [])
    expect(names).toEqual(ten.map((s) => s.name))
  })

  it('drops a span too large for a datagram alone, and counts it, sending the rest', () => {
    const [small, large] = [spans(1, 10), spans(1, 80_000)]
    const encoded = encodeDatagrams([...small, ...large, ...small])
    expect(encoded.dropped).toBe(1)
    expect(encoded.datagrams.flatMap((d) => decodeDaemonDatagram(d)?.spans ?? [])).toHaveLength(2)
  })

  it('sends datagrams a UDP listener decodes with OpenTelemetry’s OTLP classes: header, T1S, the spans', async () => {
    const received: Buffer[] = []
    const daemon = createSocket('udp4')
    daemon.on('message', (message) => received.push(message))
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve))
    cleanups.push(() => daemon.close())
    const exporter = new XRayDaemonExporter({ host: '127.0.0.1', port: daemon.address().port })
    cleanups.push(() => exporter.shutdown())

    const sent = spans(3)
    const result = await new Promise((resolve) => exporter.export(sent, resolve))
    expect(result).toEqual({ code: 0 })
    await until(() => received.length > 0, 'datagram')
    const decoded = decodeDaemonDatagram(received[0] as Buffer)
    expect(decoded?.sampled).toBe(true)
    expect(
      decoded?.spans.map(({ name, traceId, spanId, service }) => ({ name, traceId, spanId, service })),
    ).toEqual(
      sent.map((span) => ({
        name: span.name,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        service: 'msk-lambda-stocks-export-test',
      })),
    )
  })
})

describe('OTLP over HTTP, when an endpoint is set', () => {
  it('exports to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT in protobuf when the invocation flushes', async () => {
    const bodies: { path: string; type: string; body: Buffer }[] = []
    const server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        bodies.push({
          path: request.url ?? '',
          type: String(request.headers['content-type']),
          body: Buffer.concat(chunks),
        })
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => server.close(resolve)))
    const { port } = server.address() as AddressInfo
    // The OTLP exporter reads its endpoint from the process's environment itself.
    const endpoint = `http://127.0.0.1:${port}/v1/traces`
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = endpoint
    cleanups.push(() => delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)

    const tracing = startTracing({
      name: 'otlp-test',
      defaultSampler: 'parentbased_always_on',
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint },
    })
    expect(tracing.enabled).toBe(true)
    const span = tracing.tracer.startSpan('over http', { attributes: { 'messaging.system': 'kafka' } })
    span.end()
    await tracing.flush()
    expect(bodies).toHaveLength(1)
    expect(bodies[0]?.path).toBe('/v1/traces')
    expect(bodies[0]?.type).toBe('application/x-protobuf')
    const [decoded] = decodeTraceRequest(bodies[0]?.body ?? Buffer.alloc(0))
    expect(decoded).toMatchObject({
      name: 'over http',
      traceId: span.spanContext().traceId,
      attributes: { 'messaging.system': 'kafka' },
      service: 'msk-lambda-stocks-otlp-test',
    })
  })
})

describe('the console exporter, for npm start -- --trace', () => {
  it('prints each span as it ends, with its trace, parent and attributes', async () => {
    const printed: unknown[] = []
    const dir = vi.spyOn(console, 'dir').mockImplementation((item) => {
      printed.push(item)
    })
    cleanups.push(() => dir.mockRestore())
    const tracing = startTracing({
      name: 'console-test',
      defaultSampler: 'parentbased_always_on',
      env: { OTEL_TRACES_EXPORTER: 'console' },
    })
    const span = tracing.tracer.startSpan('printed', { attributes: { 'stocks.batch.number': 1 } })
    span.end()
    await tracing.flush()
    expect(printed).toEqual([
      expect.objectContaining({
        name: 'printed',
        traceId: span.spanContext().traceId,
        id: span.spanContext().spanId,
        attributes: { 'stocks.batch.number': 1 },
      }),
    ])
  })
})
