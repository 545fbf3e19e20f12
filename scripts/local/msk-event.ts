import type { KafkaMessage } from 'kafkajs'
import type { MskEvent, MskRecord } from '../../lib/msk/event.js'

export interface EventSource {
  readonly eventSourceArn: string
  readonly bootstrapServers: readonly string[]
}

/** Kafka's record batch attribute: 0 create time, 1 log append time. kafkajs keeps it on batchContext. */
function timestampTypeOf(message: KafkaMessage): MskRecord['timestampType'] {
  const context = (message as { batchContext?: { timestampType?: number } }).batchContext
  return context?.timestampType === 1 ? 'LOG_APPEND_TIME' : 'CREATE_TIME'
}

/** Lambda serialises header values as Java bytes, -128..127. */
function javaBytes(value: Buffer | string | undefined): number[] {
  if (value === undefined) return []
  return [...Buffer.from(value)].map((byte) => (byte > 127 ? byte - 256 : byte))
}

function headersOf(message: KafkaMessage): Record<string, number[]>[] {
  const headers: Record<string, number[]>[] = []
  for (const [key, value] of Object.entries(message.headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) headers.push({ [key]: javaBytes(one) })
  }
  return headers
}

/** One record as Lambda sends it: base64 key and value (absent when null), numeric offset and timestamp. */
export function toMskRecord(topic: string, partition: number, message: KafkaMessage): MskRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: timestampTypeOf(message),
    ...(message.key === null ? {} : { key: message.key.toString('base64') }),
    ...(message.value === null ? {} : { value: message.value.toString('base64') }),
    headers: headersOf(message),
  }
}

/** An MSK event in the shape Lambda's event source mapping builds: records grouped by `topic-partition`. */
export function buildMskEvent(
  groups: readonly { readonly id: string; readonly records: readonly MskRecord[] }[],
  source: EventSource,
): MskEvent {
  const records: Record<string, readonly MskRecord[]> = {}
  for (const { id, records: group } of groups) records[id] = group
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: source.eventSourceArn,
    bootstrapServers: source.bootstrapServers.join(','),
    records,
  }
}
