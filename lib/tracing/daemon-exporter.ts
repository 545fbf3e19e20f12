import { createSocket, type Socket } from 'node:dgram'
import { type ExportResult, ExportResultCode } from '@opentelemetry/core'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace'
import { logger } from '../log.js'
import type { DaemonAddress } from './settings.js'

/**
 * The X-Ray daemon's UDP protocol for OTLP, as AWS's own exporters speak it (aws-otel-js-instrumentation's
 * AwsXrayUdpSpanExporter, published as @aws/aws-distro-opentelemetry-exporter-xray-udp, and the ADOT
 * Lambda layers): each datagram is the daemon's header line, then `T1S` for sampled spans (`T1U` for
 * unsampled ones), then the base64 of one OTLP ExportTraceServiceRequest in protobuf. Lambda's daemon
 * forwards them to X-Ray's OTLP ingestion, which needs Transaction Search (docs/tracing.md).
 */
export const DAEMON_HEADER = '{"format":"json","version":1}\n'

/** The most one UDP datagram carries over IPv4: 65,535 bytes less the IP and UDP headers. */
export const MAX_DATAGRAM_BYTES = 65_507

/** One datagram for the spans: the header, the sampling prefix, then their OTLP request in base64. */
function datagram(spans: readonly ReadableSpan[]): Buffer | undefined {
  const request = ProtobufTraceSerializer.serializeRequest([...spans])
  if (request === undefined) return undefined
  const sampled = ((spans[0]?.spanContext().traceFlags ?? 1) & 1) === 1
  const body = Buffer.from(request.buffer, request.byteOffset, request.byteLength).toString('base64')
  return Buffer.from(`${DAEMON_HEADER}${sampled ? 'T1S' : 'T1U'}${body}`)
}

/**
 * The spans as datagrams of at most `maxBytes` each: all in one when they fit, else split in halves
 * until each part fits. A span that cannot fit alone is dropped and counted, never sent cut.
 */
export function encodeDatagrams(
  spans: readonly ReadableSpan[],
  maxBytes: number = MAX_DATAGRAM_BYTES,
): { datagrams: Buffer[]; dropped: number } {
  if (spans.length === 0) return { datagrams: [], dropped: 0 }
  const whole = datagram(spans)
  if (whole !== undefined && whole.length <= maxBytes) return { datagrams: [whole], dropped: 0 }
  if (spans.length === 1) return { datagrams: [], dropped: 1 }
  const half = Math.ceil(spans.length / 2)
  const first = encodeDatagrams(spans.slice(0, half), maxBytes)
  const second = encodeDatagrams(spans.slice(half), maxBytes)
  return {
    datagrams: [...first.datagrams, ...second.datagrams],
    dropped: first.dropped + second.dropped,
  }
}

/**
 * Sends spans to the X-Ray daemon over UDP. AWS publishes this exporter as
 * @aws/aws-distro-opentelemetry-exporter-xray-udp, but its one release (0.0.2) is built on the
 * OpenTelemetry SDK 1 (sdk-trace-base ^1.30, otlp-transformer ^0.57 with protobufjs): it would bring a
 * second, older SDK beside the current one (3.x) and bundles alone to 403 KB minified (measured with
 * esbuild). So this is the transport alone, on the current SDK, with OpenTelemetry's own protobuf
 * serializer doing the encoding. One socket for the environment, unreferenced so it never holds the
 * process open, as ADOT keeps it; UDP has no connection for a frozen Lambda environment to break. A send
 * that fails is reported as a failed export and logged, never thrown: a trace must not fail the
 * invocation.
 */
export class XRayDaemonExporter implements SpanExporter {
  readonly #address: DaemonAddress
  readonly #maxBytes: number
  #socket: Socket | undefined

  constructor(address: DaemonAddress, maxBytes: number = MAX_DATAGRAM_BYTES) {
    this.#address = address
    this.#maxBytes = maxBytes
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    let datagrams: Buffer[]
    try {
      const encoded = encodeDatagrams(spans, this.#maxBytes)
      datagrams = encoded.datagrams
      if (encoded.dropped > 0) {
        logger.warn('Spans too large for one datagram to the X-Ray daemon, not sent', {
          spans: encoded.dropped,
        })
      }
    } catch (error) {
      logger.warn('Spans not encoded for the X-Ray daemon', { error })
      done({ code: ExportResultCode.FAILED, error: error as Error })
      return
    }
    const socket = this.#open()
    Promise.all(
      datagrams.map(
        (bytes) =>
          new Promise<void>((resolve, reject) =>
            socket.send(bytes, this.#address.port, this.#address.host, (error) =>
              error ? reject(error) : resolve(),
            ),
          ),
      ),
    ).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: Error) => {
        logger.warn('Spans not sent to the X-Ray daemon', { error, daemon: this.#address })
        done({ code: ExportResultCode.FAILED, error })
      },
    )
  }

  async shutdown(): Promise<void> {
    this.#socket?.close()
    this.#socket = undefined
  }

  #open(): Socket {
    if (this.#socket !== undefined) return this.#socket
    const socket = createSocket(this.#address.host.includes(':') ? 'udp6' : 'udp4')
    socket.on('error', (error) => logger.warn('X-Ray daemon socket failed', { error }))
    socket.unref()
    this.#socket = socket
    return socket
  }
}
