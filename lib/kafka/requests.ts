import type { Message } from 'kafkajs'

/** Half the brokers' default record batch limit, leaving room for record and batch overhead. */
export const MAX_REQUEST_BYTES = 512 * 1024

export type KafkajsTopicMessages = { topic: string; messages: Message[] }

const sizeOf = (value: Buffer | string | null | undefined) =>
  value === null || value === undefined
    ? 0
    : typeof value === 'string'
      ? Buffer.byteLength(value)
      : value.length

/** Called once per record on the hot path: a plain loop, no arrays built per header. */
function messageBytes(message: Message): number {
  let bytes = sizeOf(message.key) + sizeOf(message.value as Buffer | string | null) + 24
  const headers = message.headers
  if (headers === undefined) return bytes
  for (const key in headers) {
    const value = headers[key]
    bytes += Buffer.byteLength(key)
    if (Array.isArray(value)) for (const one of value) bytes += sizeOf(one)
    else bytes += sizeOf(value)
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
