import type { Message } from 'kafkajs'
import {
  BATCH_OVERHEAD_BYTES,
  byteLength,
  HEADER_OVERHEAD_BYTES,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  RECORD_OVERHEAD_BYTES,
} from './record-size.js'

/** Half the brokers' default record batch limit: requests small enough to keep a send's memory low. */
export const MAX_REQUEST_BYTES = 512 * 1024

export type KafkajsTopicMessages = { topic: string; messages: Message[] }

/**
 * The request size for topics that take batches of up to `maxMessageBytes`: every partition's records of a
 * request form one batch, so a request no larger than this never makes a batch the topic refuses.
 */
export function requestBytesFor(maxMessageBytes = KAFKA_DEFAULT_MAX_MESSAGE_BYTES): number {
  return Math.min(MAX_REQUEST_BYTES, maxMessageBytes - BATCH_OVERHEAD_BYTES)
}

/**
 * recordBytes for kafkajs's message shape. Called once per record on the hot path: a plain loop, no
 * arrays built per header.
 */
function messageBytes(message: Message): number {
  let bytes =
    RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value as Buffer | string | null)
  const headers = message.headers
  if (headers === undefined) return bytes
  for (const key in headers) {
    const value = headers[key]
    const keyBytes = HEADER_OVERHEAD_BYTES + Buffer.byteLength(key)
    if (Array.isArray(value)) for (const one of value) bytes += keyBytes + byteLength(one)
    else bytes += keyBytes + byteLength(value)
  }
  return bytes
}

/** Consecutive requests of at most `maxBytes` each (a single larger message goes alone), in order. */
export function splitIntoRequests(
  topicMessages: readonly KafkajsTopicMessages[],
  maxBytes: number,
): KafkajsTopicMessages[][] {
  const requests: KafkajsTopicMessages[][] = []
  let current: KafkajsTopicMessages[] = []
  let bytes = 0
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = messageBytes(message)
      if (bytes > 0 && bytes + size > maxBytes) {
        requests.push(current)
        current = []
        bytes = 0
      }
      const last = current.at(-1)
      if (last?.topic === topic) last.messages.push(message)
      else current.push({ topic, messages: [message] })
      bytes += size
    }
  }
  if (current.length > 0) requests.push(current)
  return requests
}
