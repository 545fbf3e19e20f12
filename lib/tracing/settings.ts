import { ConfigError } from '../errors.js'

export type Env = Readonly<Record<string, string | undefined>>

/**
 * OpenTelemetry's samplers, by their OTEL_TRACES_SAMPLER names ("Environment Variable Specification"),
 * as @opentelemetry/sdk-node reads them.
 */
export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const
export type SamplerName = (typeof SAMPLER_NAMES)[number]

/**
 * Where spans go. `udp`: OTLP over UDP to the X-Ray daemon Lambda runs beside the function, as the AWS
 * Distro for OpenTelemetry does in Lambda (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=udp in ADOT's own reading).
 * `http/protobuf`: OTLP over HTTP to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT. `console`: printed.
 */
export type ExporterKind = 'udp' | 'http/protobuf' | 'console'

export interface DaemonAddress {
  readonly host: string
  readonly port: number
}

export interface TracingSettings {
  /** Switched off: OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER=none. */
  readonly disabled: boolean
  /** Where spans go; none: tracing is off, nothing is recorded and records carry no trace headers. */
  readonly exporters: readonly ExporterKind[]
  /** Lambda's X-Ray daemon (AWS_XRAY_DAEMON_ADDRESS), for `udp`. */
  readonly daemon: DaemonAddress
  readonly sampler: SamplerName
  /** OTEL_TRACES_SAMPLER_ARG, for the ratio samplers. */
  readonly ratio: number
}

/** Lambda's own X-Ray daemon address when AWS_XRAY_DAEMON_ADDRESS is unset, as the X-Ray SDKs default. */
const DEFAULT_DAEMON: DaemonAddress = { host: '127.0.0.1', port: 2000 }

const blank = (value: string | undefined) => value === undefined || value.trim() === ''

/** `host:port`, or the daemon's two-address form `udp:host:port tcp:host:port` (UDP is what is sent). */
export function parseDaemonAddress(value: string): DaemonAddress | undefined {
  const parts = value.trim().split(/\s+/)
  const udp =
    parts.length === 1
      ? parts[0]?.replace(/^udp:/, '')
      : parts.find((part) => part.startsWith('udp:'))?.slice(4)
  const match = /^(.+):(\d{1,5})$/.exec(udp ?? '')
  const port = Number(match?.[2])
  if (match?.[1] === undefined || port < 1 || port > 65_535) return undefined
  return { host: match[1], port }
}

function isLambda(env: Env): boolean {
  return env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda_') === true
}

/**
 * The exporters, as OpenTelemetry's variables say, with two departures that make tracing cost nothing
 * unless asked for: outside Lambda, nothing is exported (tracing off) unless OTEL_TRACES_EXPORTER or an
 * OTLP endpoint is set; in Lambda, `otlp` without an endpoint goes over UDP to the daemon Lambda runs
 * (as ADOT's Lambda layers send it), which needs no route out of the VPC.
 */
function exporters(env: Env, problems: string[]): ExporterKind[] {
  const names = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  const endpoint = !blank(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) || !blank(env.OTEL_EXPORTER_OTLP_ENDPOINT)
  if (names.length === 0 && (isLambda(env) || endpoint)) names.push('otlp')
  if (names.includes('none')) return []
  const protocolVariable = blank(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL)
    ? 'OTEL_EXPORTER_OTLP_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
  const protocol = env[protocolVariable]?.trim() || (isLambda(env) && !endpoint ? 'udp' : 'http/protobuf')
  const kinds = new Set<ExporterKind>()
  for (const name of names) {
    if (name === 'console') kinds.add('console')
    else if (name !== 'otlp') {
      problems.push(`OTEL_TRACES_EXPORTER: ${JSON.stringify(name)} is not otlp, console or none`)
    } else if (protocol === 'udp' || protocol === 'http/protobuf') kinds.add(protocol)
    else {
      problems.push(
        `${protocolVariable}: ${JSON.stringify(protocol)} is not http/protobuf or udp (the X-Ray daemon)`,
      )
    }
  }
  return [...kinds]
}

/**
 * Tracing's settings from OpenTelemetry's environment variables (OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER,
 * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG) and Lambda's
 * AWS_XRAY_DAEMON_ADDRESS; the OTLP exporter reads its own (endpoint, headers, timeout, compression).
 * `defaultSampler` stands for an unset OTEL_TRACES_SAMPLER. A bad value fails the start with one
 * ConfigError naming every bad variable, as every other setting of the project does.
 */
export function tracingSettings(env: Env, defaultSampler: SamplerName): TracingSettings {
  const problems: string[] = []
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() ?? ''
  if (disabled !== '' && disabled !== 'true' && disabled !== 'false') {
    problems.push(`OTEL_SDK_DISABLED: ${JSON.stringify(env.OTEL_SDK_DISABLED)} is not true or false`)
  }
  const off =
    disabled === 'true' || (env.OTEL_TRACES_EXPORTER ?? '').split(',').some((n) => n.trim() === 'none')
  const kinds = off ? [] : exporters(env, problems)

  const sampler = (env.OTEL_TRACES_SAMPLER?.trim() || defaultSampler) as SamplerName
  if (!SAMPLER_NAMES.includes(sampler)) {
    problems.push(`OTEL_TRACES_SAMPLER: ${JSON.stringify(sampler)} is not one of ${SAMPLER_NAMES.join(', ')}`)
  }
  const ratio = blank(env.OTEL_TRACES_SAMPLER_ARG) ? 1 : Number(env.OTEL_TRACES_SAMPLER_ARG)
  if (!(ratio >= 0 && ratio <= 1)) {
    problems.push(
      `OTEL_TRACES_SAMPLER_ARG: ${JSON.stringify(env.OTEL_TRACES_SAMPLER_ARG)} is not a ratio from 0 to 1`,
    )
  }

  let daemon = DEFAULT_DAEMON
  if (kinds.includes('udp') && !blank(env.AWS_XRAY_DAEMON_ADDRESS)) {
    const parsed = parseDaemonAddress(env.AWS_XRAY_DAEMON_ADDRESS ?? '')
    if (parsed === undefined) {
      problems.push(
        `AWS_XRAY_DAEMON_ADDRESS: ${JSON.stringify(env.AWS_XRAY_DAEMON_ADDRESS)} is not host:port`,
      )
    } else daemon = parsed
  }
  if (problems.length > 0) throw new ConfigError(`Invalid tracing settings: ${problems.join('; ')}`)
  return { disabled: off, exporters: kinds, daemon, sampler, ratio }
}
