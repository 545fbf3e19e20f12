import { createSocket } from 'node:dgram'
import type { SegmentDocument } from './segment.js'

/**
 * The X-Ray daemon's UDP protocol (aws/aws-xray-daemon README): each datagram is this header, a newline,
 * then one segment document. Lambda runs the daemon for sampled invocations and sets its address in
 * AWS_XRAY_DAEMON_ADDRESS.
 */
export const DAEMON_HEADER = '{"format":"json","version":1}\n'
/** The daemon takes documents up to 64 KB. */
const MAX_DATAGRAM_BYTES = 64 * 1024

export interface DaemonAddress {
  readonly host: string
  readonly port: number
}

/** `host:port`, or the daemon's two-address form `udp:host:port tcp:host:port` (UDP is what is sent). */
export function parseDaemonAddress(value: string): DaemonAddress {
  const parts = value.trim().split(/\s+/)
  const udp =
    parts.length === 1
      ? parts[0]?.replace(/^udp:/, '')
      : parts.find((part) => part.startsWith('udp:'))?.slice(4)
  const match = /^(.+):(\d{1,5})$/.exec(udp ?? '')
  const port = Number(match?.[2])
  if (match?.[1] === undefined || port < 1 || port > 65_535) {
    throw new Error(`Not an X-Ray daemon address (host:port): ${JSON.stringify(value)}`)
  }
  return { host: match[1], port }
}

/** A document as one datagram; metadata is dropped from one that would be too large, then the rest kept. */
export function encodeDocument(document: SegmentDocument): Buffer | undefined {
  const full = Buffer.from(DAEMON_HEADER + JSON.stringify(document))
  if (full.length <= MAX_DATAGRAM_BYTES) return full
  const { metadata: _dropped, ...lean } = document
  const smaller = Buffer.from(DAEMON_HEADER + JSON.stringify(lean))
  return smaller.length <= MAX_DATAGRAM_BYTES ? smaller : undefined
}

export type SendDocuments = (address: DaemonAddress, documents: readonly SegmentDocument[]) => Promise<void>

/**
 * Sends the documents over one socket opened for the purpose and closed after, as X-Ray's SDK does in
 * Lambda, where a socket kept open across a frozen environment cannot be trusted. Resolves once each
 * datagram has left; never rejects: a trace that cannot be sent must not fail the invocation.
 */
export const sendToDaemon: SendDocuments = async (address, documents) => {
  const datagrams = documents.map(encodeDocument).filter((datagram) => datagram !== undefined)
  if (datagrams.length === 0) return
  const socket = createSocket('udp4')
  socket.on('error', () => undefined)
  try {
    await Promise.all(
      datagrams.map(
        (datagram) =>
          new Promise<void>((resolve) => socket.send(datagram, address.port, address.host, () => resolve())),
      ),
    )
  } finally {
    socket.close()
  }
}
