import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import type { MskEvent } from '../lib/msk/event.js'
import { generateStockBatch } from '../lib/stocks/generate.js'

/**
 * The event with each record's headers as a traced producer writes them (lib/tracing/producer-spans.ts):
 * one producer invocation, each batch of 17 a `send` span of it, and each record of the batch carrying
 * W3C `traceparent` with that span as parent, sampled. Lambda delivers every header as its own object of
 * bytes, and each record its own arrays (as parsed from JSON).
 */
export function withProducerTraceHeaders(event: MskEvent): MskEvent {
  const batchSize = generateStockBatch().length
  const traceId = randomBytes(16).toString('hex')
  const batches = new Map<number, number[]>()
  const traceparentOf = (offset: number) => {
    const batch = Math.floor(offset / batchSize)
    let bytes = batches.get(batch)
    if (bytes === undefined) {
      bytes = [...Buffer.from(`00-${traceId}-${randomBytes(8).toString('hex')}-01`)]
      batches.set(batch, bytes)
    }
    return bytes
  }
  const records = Object.fromEntries(
    Object.entries(event.records).map(([id, list]) => [
      id,
      list.map((record) => ({ ...record, headers: [{ traceparent: [...traceparentOf(record.offset)] }] })),
    ]),
  )
  return { ...event, records }
}

/**
 * A stand-in for the X-Ray daemon: a UDP port on 127.0.0.1 that takes the datagrams and discards them. It
 * runs in a child process, as the daemon runs beside the function in Lambda, so that receiving is not
 * timed as the processor's work.
 */
export async function startDiscardingDaemon(): Promise<{ port: number; stop: () => void }> {
  const listener = `
    const socket = require('node:dgram').createSocket('udp4')
    socket.on('message', () => undefined)
    socket.bind(0, '127.0.0.1', () => process.send(socket.address().port))
    process.on('disconnect', () => socket.close())`
  const child = spawn(process.execPath, ['-e', listener], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve(Number(message)))
    child.once('exit', (code) => reject(new Error(`UDP listener exited (${code})`)))
  })
  return { port, stop: () => child.disconnect() }
}

/** The settings that send spans over UDP to a daemon at this port, as a function in Lambda sends them. */
export function daemonTracingEnv(port: number): Record<string, string> {
  return {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'udp',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
  }
}
