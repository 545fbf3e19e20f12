import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api'
import { SamplingDecision } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../lib/errors.js'
import { LinksAsParentSampler, namedSampler } from '../../lib/tracing/sampler.js'
import { parseDaemonAddress, tracingSettings } from '../../lib/tracing/settings.js'

const LAMBDA = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000' }

const settings = (env: Record<string, string>) => tracingSettings(env, 'parentbased_always_on')

function refusal(env: Record<string, string>): string {
  try {
    settings(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error(`${JSON.stringify(env)} was accepted`)
}

describe('tracing settings, from OpenTelemetry’s environment variables', () => {
  it('in Lambda, sends OTLP over UDP to the daemon Lambda runs, with no endpoint to reach', () => {
    expect(settings(LAMBDA)).toEqual({
      disabled: false,
      exporters: ['udp'],
      daemon: { host: '169.254.79.129', port: 2000 },
      sampler: 'parentbased_always_on',
      ratio: 1,
    })
    expect(settings({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }).daemon).toEqual({
      host: '127.0.0.1',
      port: 2000,
    })
  })

  it('sends OTLP over HTTP when an endpoint is set, in Lambda or not', () => {
    expect(settings({ ...LAMBDA, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }).exporters).toEqual([
      'http/protobuf',
    ])
    expect(
      settings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).exporters,
    ).toEqual(['http/protobuf'])
    // ADOT's own reading: protocol udp picks the daemon, wherever it runs.
    expect(
      settings({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'udp',
        AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:47000',
      }),
    ).toMatchObject({ exporters: ['udp'], daemon: { host: '127.0.0.1', port: 47000 } })
  })

  it('is off outside Lambda unless an exporter or an endpoint is named', () => {
    expect(settings({}).exporters).toEqual([])
    expect(settings({ OTEL_TRACES_EXPORTER: 'console' }).exporters).toEqual(['console'])
    expect(
      settings({ OTEL_TRACES_EXPORTER: 'console, otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' })
        .exporters,
    ).toEqual(['console', 'http/protobuf'])
  })

  it('is switched off by OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, even in Lambda', () => {
    expect(settings({ ...LAMBDA, OTEL_SDK_DISABLED: 'TRUE' })).toMatchObject({
      disabled: true,
      exporters: [],
    })
    expect(settings({ ...LAMBDA, OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({
      disabled: true,
      exporters: [],
    })
    expect(settings({ ...LAMBDA, OTEL_SDK_DISABLED: 'false' })).toMatchObject({
      disabled: false,
      exporters: ['udp'],
    })
  })

  it('reads the sampler and its ratio, the function’s own default when unset', () => {
    expect(tracingSettings({}, 'parentbased_always_off').sampler).toBe('parentbased_always_off')
    expect(
      settings({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }),
    ).toMatchObject({
      sampler: 'parentbased_traceidratio',
      ratio: 0.25,
    })
  })

  it('refuses bad values, naming every bad variable at once', () => {
    const message = refusal({
      OTEL_SDK_DISABLED: 'yes',
      OTEL_TRACES_SAMPLER: 'xray',
      OTEL_TRACES_SAMPLER_ARG: '2',
    })
    expect(message).toContain('OTEL_SDK_DISABLED: "yes" is not true or false')
    expect(message).toContain('OTEL_TRACES_SAMPLER: "xray" is not one of always_on')
    expect(message).toContain('OTEL_TRACES_SAMPLER_ARG: "2" is not a ratio from 0 to 1')
    expect(refusal({ OTEL_TRACES_EXPORTER: 'zipkin' })).toContain(
      'OTEL_TRACES_EXPORTER: "zipkin" is not otlp, console or none',
    )
    expect(refusal({ ...LAMBDA, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toContain(
      'OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not http/protobuf or udp',
    )
    expect(refusal({ ...LAMBDA, AWS_XRAY_DAEMON_ADDRESS: 'daemon' })).toContain(
      'AWS_XRAY_DAEMON_ADDRESS: "daemon" is not host:port',
    )
  })

  it('reads the daemon address in both of its forms', () => {
    expect(parseDaemonAddress('127.0.0.1:2000')).toEqual({ host: '127.0.0.1', port: 2000 })
    expect(parseDaemonAddress('udp:10.0.0.1:2001 tcp:10.0.0.2:2002')).toEqual({
      host: '10.0.0.1',
      port: 2001,
    })
    expect(parseDaemonAddress('host:0')).toBeUndefined()
    expect(parseDaemonAddress('host:70000')).toBeUndefined()
  })
})

describe('the sampler: links stand in for the parent of a batch consumer’s root span', () => {
  const decide = (sampler: ReturnType<typeof namedSampler>, flags: number[], parentFlags?: number) => {
    const parent =
      parentFlags === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId: 'a'.repeat(32),
            spanId: 'b'.repeat(16),
            traceFlags: parentFlags,
          })
    const links = flags.map((traceFlags, i) => ({
      context: { traceId: 'c'.repeat(32), spanId: `${i + 1}`.padStart(16, '0'), traceFlags },
    }))
    return new LinksAsParentSampler(sampler).shouldSample(
      parent,
      'd'.repeat(32),
      'span',
      SpanKind.CONSUMER,
      {},
      links,
    ).decision
  }
  const { RECORD_AND_SAMPLED, NOT_RECORD } = SamplingDecision

  it('parent-based: recorded when any linked context was sampled, not when none was', () => {
    const sampler = namedSampler('parentbased_always_off', 1)
    expect(decide(sampler, [0, 1, 0])).toBe(RECORD_AND_SAMPLED)
    expect(decide(sampler, [0, 0])).toBe(NOT_RECORD)
    expect(decide(sampler, [])).toBe(NOT_RECORD)
    expect(decide(namedSampler('parentbased_always_on', 1), [])).toBe(RECORD_AND_SAMPLED)
    expect(decide(namedSampler('parentbased_always_on', 1), [0])).toBe(NOT_RECORD)
  })

  it('a real parent decides over the links', () => {
    const sampler = namedSampler('parentbased_always_off', 1)
    expect(decide(sampler, [1], 0)).toBe(NOT_RECORD)
    expect(decide(sampler, [0], 1)).toBe(RECORD_AND_SAMPLED)
  })

  it('samplers that ignore the parent ignore the links too', () => {
    expect(decide(namedSampler('always_on', 1), [0])).toBe(RECORD_AND_SAMPLED)
    expect(decide(namedSampler('always_off', 1), [1])).toBe(NOT_RECORD)
    expect(decide(namedSampler('traceidratio', 0), [1])).toBe(NOT_RECORD)
  })
})
