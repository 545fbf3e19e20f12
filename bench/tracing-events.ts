import { spawn } from 'node:child_process'
import type { MskEvent } from '../lib/msk/event.js'
import { generateStockBatch } from '../lib/stocks/generate.js'
import { traceHeaders } from '../lib/tracing/record-headers.js'
import { newSegmentId, newTraceId } from '../lib/tracing/trace-context.js'

/**
 * The event with each record's headers as a traced producer writes them (lib/tracing/producer-batches.ts):
 * one producer invocation, each batch of 17 a `send` subsegment of it, and each record of the batch
 * carrying `traceparent` and `X-Amzn-Trace-Id` with that subsegment as parent, sampled. Lambda delivers
 * every header as its own object of bytes, and each record its own arrays (as parsed from JSON).
 */
export function withProducerTraceHeaders(event: MskEvent): MskEvent {
  const batchSize = generateStockBatch().length
  const traceId = newTraceId()
  const batches = new Map<number, { key: string; bytes: number[] }[]>()
  const headersOf = (offset: number) => {
    const batch = Math.floor(offset / batchSize)
    let headers = batches.get(batch)
    if (headers === undefined) {
      headers = traceHeaders({ traceId, parentId: newSegmentId(), sampled: true }).map(({ key, value }) => ({
        key,
        bytes: [...Buffer.from(value)],
      }))
      batches.set(batch, headers)
    }
    return headers.map(({ key, bytes }) => ({ [key]: [...bytes] }))
  }
  const records = Object.fromEntries(
    Object.entries(event.records).map(([id, list]) => [
      id,
      list.map((record) => ({ ...record, headers: headersOf(record.offset) })),
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
