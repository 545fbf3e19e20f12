import { createSocket } from 'node:dgram'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  DAEMON_HEADER,
  type DaemonAddress,
  encodeDocument,
  parseDaemonAddress,
  sendToDaemon,
} from '../../lib/tracing/daemon.js'
import { invocationSpan, traceInvocation } from '../../lib/tracing/middleware.js'
import { carriesSampledTrace } from '../../lib/tracing/partition-batches.js'
import type { SegmentDocument } from '../../lib/tracing/segment.js'
import { Tracer, type TracingSettings, tracingSettings } from '../../lib/tracing/tracer.js'

const DAEMON = { host: '127.0.0.1', port: 2000 }
const LAMBDA_HEADER = 'Root=1-4efaaf4d-1e8720b39541901950019ee5;Parent=53995c3f42cd8ad8;Sampled=1'

/** Errors and responses are captured unless the test says otherwise, as with the variables unset. */
function recordingTracer(
  settings: Pick<TracingSettings, 'mode' | 'daemon'> & Partial<TracingSettings>,
  header?: string,
) {
  const sent: SegmentDocument[][] = []
  const tracer = new Tracer(
    { captureResponse: true, captureError: true, ...settings },
    async (_address, documents) => {
      sent.push([...documents])
    },
    () => header,
  )
  return { tracer, sent }
}

const context = (functionName = 'msk-lambda-stocks-test-producer') =>
  ({ functionName, getRemainingTimeInMillis: () => 60_000 }) as unknown as Context

describe('tracing settings', () => {
  it('is on in Lambda (its daemon), on locally only when asked (LOCAL_XRAY_DAEMON_ADDRESS), off otherwise', () => {
    expect(tracingSettings({})).toMatchObject({ mode: 'off' })
    expect(tracingSettings({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toEqual({
      mode: 'lambda',
      daemon: DAEMON,
      captureResponse: true,
      captureError: true,
    })
    expect(
      tracingSettings({
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
        LOCAL_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
      }),
    ).toMatchObject({ mode: 'lambda', daemon: { host: '169.254.79.129', port: 2000 } })
    expect(tracingSettings({ LOCAL_XRAY_DAEMON_ADDRESS: 'localhost:49152' })).toMatchObject({
      mode: 'local',
      daemon: { host: 'localhost', port: 49152 },
    })
    // serverless invoke local sets AWS_LAMBDA_FUNCTION_NAME, not AWS_EXECUTION_ENV: still local.
    expect(tracingSettings({ AWS_LAMBDA_FUNCTION_NAME: 'f' })).toMatchObject({ mode: 'off' })
    expect(() => tracingSettings({ LOCAL_XRAY_DAEMON_ADDRESS: 'nowhere' })).toThrow(/X-Ray daemon address/)
    expect(() =>
      tracingSettings({ LOCAL_XRAY_DAEMON_ADDRESS: 'nowhere', POWERTOOLS_TRACE_ENABLED: 'false' }),
    ).toThrow(/X-Ray daemon address/)
  })

  it("honours Powertools Tracer's switches: POWERTOOLS_TRACE_ENABLED and _TRACER_CAPTURE_RESPONSE / _ERROR", () => {
    const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }
    expect(tracingSettings({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' })).toMatchObject({ mode: 'off' })
    expect(
      tracingSettings({ LOCAL_XRAY_DAEMON_ADDRESS: '127.0.0.1:9', POWERTOOLS_TRACE_ENABLED: 'false' }),
    ).toMatchObject({ mode: 'off' })
    // As in Powertools, anything but `false` leaves a switch on.
    expect(tracingSettings({ ...lambda, POWERTOOLS_TRACE_ENABLED: '0' })).toMatchObject({ mode: 'lambda' })
    expect(
      tracingSettings({
        ...lambda,
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        POWERTOOLS_TRACER_CAPTURE_ERROR: ' False ',
      }),
    ).toMatchObject({ captureResponse: false, captureError: false })
  })

  it("reads the daemon's address forms", () => {
    expect(parseDaemonAddress('127.0.0.1:2000')).toEqual(DAEMON)
    expect(parseDaemonAddress('udp:127.0.0.1:2001 tcp:127.0.0.1:2000')).toEqual({ ...DAEMON, port: 2001 })
    expect(parseDaemonAddress('tcp:127.0.0.1:2000 udp:10.0.0.1:2002')).toEqual({
      host: '10.0.0.1',
      port: 2002,
    })
    for (const bad of ['', '127.0.0.1', ':2000', '127.0.0.1:0', '127.0.0.1:70000']) {
      expect(() => parseDaemonAddress(bad), bad).toThrow()
    }
  })
})

describe('the daemon protocol', () => {
  it('sends each document as one datagram: the header line, then the JSON', async () => {
    const listener = createSocket('udp4')
    const received: string[] = []
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve))
    const address: DaemonAddress = { host: '127.0.0.1', port: listener.address().port }
    const arrived = new Promise<void>((resolve) =>
      listener.on('message', (message) => {
        received.push(message.toString())
        if (received.length === 2) resolve()
      }),
    )
    const documents = [1, 2].map((n) => ({
      name: `s${n}`,
      id: `${n}`.repeat(16),
      trace_id: 't',
      start_time: n,
    }))
    await sendToDaemon(address, documents)
    await arrived
    listener.close()
    expect(received.sort()).toEqual(
      documents.map((d) => `{"format":"json","version":1}\n${JSON.stringify(d)}`),
    )
  })

  it('drops metadata from a document too large for a datagram, and the document if that is not enough', () => {
    const base = { name: 'big', id: '1'.repeat(16), trace_id: 't', start_time: 1 }
    const large = encodeDocument({ ...base, metadata: { ns: { blob: 'x'.repeat(70_000) } } })
    expect(large?.toString()).toBe(DAEMON_HEADER + JSON.stringify(base))
    expect(encodeDocument({ ...base, name: 'x'.repeat(70_000) })).toBeUndefined()
  })

  it('never fails the caller, whatever the address', async () => {
    await expect(
      sendToDaemon({ host: '127.0.0.1', port: 9 }, [
        { name: 'n', id: '1'.repeat(16), trace_id: 't', start_time: 1 },
      ]),
    ).resolves.toBeUndefined()
  })
})

describe('traceInvocation', () => {
  const handlerOf = (
    tracer: Tracer,
    body: (context: Context) => Promise<unknown>,
    sampledUpstream?: (event: unknown) => boolean,
  ) =>
    middy<unknown, unknown, Error, Context>()
      .use(traceInvocation(tracer, sampledUpstream))
      .handler(async (_event, ctx) => body(ctx))

  /** An invocation through the tracer gets no span and sends nothing. */
  const expectNothingRecorded = async ({ tracer, sent }: ReturnType<typeof recordingTracer>) => {
    let span: unknown = 'not looked at'
    await handlerOf(tracer, async (ctx) => {
      span = invocationSpan(ctx)
    })({}, context())
    expect(span).toBeUndefined()
    expect(sent).toEqual([])
  }

  it("in Lambda, records a sampled invocation as a subsegment of Lambda's segment, sent when it ends", async () => {
    const { tracer, sent } = recordingTracer({ mode: 'lambda', daemon: DAEMON }, LAMBDA_HEADER)
    const handler = handlerOf(tracer, async (ctx) => {
      invocationSpan(ctx)?.child('work').annotate('step', 1).close()
      return { done: true }
    })
    await handler({}, context())
    await handler({}, context())

    expect(sent).toHaveLength(2)
    const [work, invocation] = sent[0] ?? []
    expect(invocation).toMatchObject({
      name: expect.stringMatching(/^## /),
      type: 'subsegment',
      trace_id: '1-4efaaf4d-1e8720b39541901950019ee5',
      parent_id: '53995c3f42cd8ad8',
      annotations: { ColdStart: true, Service: 'msk-lambda-stocks' },
      // Powertools' key: `${_HANDLER} response`, in the service's namespace.
      metadata: { 'msk-lambda-stocks': { 'handler response': { done: true } } },
    })
    expect(invocation?.end_time).toBeGreaterThanOrEqual(invocation?.start_time ?? Number.NaN)
    expect(work).toMatchObject({ name: 'work', parent_id: invocation?.id, annotations: { step: 1 } })
    expect(sent[1]?.[1]?.annotations?.ColdStart).toBe(false)
  })

  it('records nothing for an invocation Lambda did not sample, or without a trace header', async () => {
    for (const header of [LAMBDA_HEADER.replace('Sampled=1', 'Sampled=0'), undefined]) {
      await expectNothingRecorded(recordingTracer({ mode: 'lambda', daemon: DAEMON }, header))
    }
  })

  it("in Lambda, gives an invocation Lambda did not trace (an MSK event's) a segment of its own when its records were sampled upstream", async () => {
    const sampled = {
      records: { 'stocks-in-0': [{ headers: [{ 'X-Amzn-Trace-Id': [...Buffer.from(LAMBDA_HEADER)] }] }] },
    }
    const unsampled = JSON.parse(JSON.stringify(sampled).replace(/,49\]/, ',48]')) as typeof sampled
    for (const [event, traced] of [
      [sampled, true],
      [unsampled, false],
      [{ records: { 'stocks-in-0': [{ headers: [] }] } }, false],
    ] as const) {
      const { tracer, sent } = recordingTracer({ mode: 'lambda', daemon: DAEMON }, undefined)
      await handlerOf(tracer, async () => 'ok', carriesSampledTrace)(event, context('processor'))
      expect(sent.length, JSON.stringify(event)).toBe(traced ? 1 : 0)
      if (!traced) continue
      const [handlerSegment, root] = sent[0] ?? []
      // A trace of its own: the producer's is continued per partition batch (lib/tracing/partition-batches.ts).
      expect(root).toMatchObject({ name: 'processor', trace_id: expect.stringMatching(/^1-/) })
      expect(root?.trace_id).not.toBe('1-4efaaf4d-1e8720b39541901950019ee5')
      expect(handlerSegment).toMatchObject({ type: 'subsegment', parent_id: root?.id })
    }
  })

  it('takes anything not shaped like an MSK event as not sampled upstream, without throwing', () => {
    for (const event of [null, 'x', {}, { records: [] }, { records: { g: [null, { headers: [null] }] } }]) {
      expect(carriesSampledTrace(event), JSON.stringify(event)).toBe(false)
    }
  })

  it('locally, gives each invocation a segment of its own in a new trace, standing in for Lambda', async () => {
    const { tracer, sent } = recordingTracer({ mode: 'local', daemon: DAEMON })
    await handlerOf(tracer, async () => 'ok')({}, context('producer'))
    const [handler, root] = sent[0] ?? []
    expect(root).toMatchObject({ name: 'producer', trace_id: expect.stringMatching(/^1-/) })
    expect(root?.parent_id).toBeUndefined()
    expect(handler).toMatchObject({ type: 'subsegment', trace_id: root?.trace_id, parent_id: root?.id })
  })

  it('marks the invocation failed with the error, and lets the error through', async () => {
    const { tracer, sent } = recordingTracer({ mode: 'local', daemon: DAEMON })
    const failing = handlerOf(tracer, async () => {
      throw new RangeError('no brokers')
    })
    await expect(failing({}, context())).rejects.toThrow('no brokers')
    expect(sent[0]?.[0]).toMatchObject({
      fault: true,
      cause: { exceptions: [{ type: 'RangeError', message: 'no brokers' }] },
    })
  })

  it("leaves the response and every span's error details out when told to, flagging the errors only", async () => {
    const { tracer, sent } = recordingTracer({
      mode: 'local',
      daemon: DAEMON,
      captureResponse: false,
      captureError: false,
    })
    await handlerOf(tracer, async () => ({ secret: 'response' }))({}, context())
    await expect(
      handlerOf(tracer, async (ctx) => {
        const span = invocationSpan(ctx)
        span?.child('send stocks-in').fail(new Error('partition 1 of account 123456789012')).close()
        span
          ?.continueTrace(
            { traceId: '1-4efaaf4d-1e8720b39541901950019ee5', parentId: '53995c3f42cd8ad8', sampled: true },
            'upstream',
          )
          .fail(new Error('partition 2 of account 123456789012'))
          .close()
        throw new Error('account 123456789012')
      })({}, context()),
    ).rejects.toThrow()
    const [answered] = sent[0] ?? []
    expect(answered).toMatchObject({ name: expect.stringMatching(/^## /) })
    expect(answered?.metadata).toBeUndefined()
    const failed = sent[1] ?? []
    // The two spans the handler made, its own subsegment, then the stand-in segment.
    expect(failed.map((document) => document.name)).toEqual([
      'send stocks-in',
      'upstream',
      '## handler',
      'msk-lambda-stocks-test-producer',
    ])
    for (const document of failed.slice(0, 3)) {
      expect(document).toMatchObject({ error: true })
      expect(document.fault).toBeUndefined()
      expect(document.cause).toBeUndefined()
    }
    expect(JSON.stringify(sent)).not.toContain('123456789012')
  })

  it('costs nothing when off: no span, nothing sent', async () => {
    await expectNothingRecorded(recordingTracer({ mode: 'off', daemon: DAEMON }, LAMBDA_HEADER))
  })
})
