import type { KafkaMessage } from 'kafkajs'
import { type JsonValue, readRow } from '../../lib/flink/json-row-reader.js'

const COLUMNS = [
  ['partition', 9],
  ['key', 20],
  ['event_time', 26],
  ['ticker', 6],
  ['price', 8],
] as const

function row(cells: readonly string[]): string {
  return cells.map((cell, i) => cell.padEnd(COLUMNS[i]?.[1] ?? 0)).join(' | ')
}

export function tableHeader(): string {
  const header = row(COLUMNS.map(([name]) => name))
  return `${header}\n${'-'.repeat(header.length)}`
}

/** A field as it is written on the topic: a string's text, a number's own digits (`44.0`, `1.0E-4`). */
function asWritten(value: JsonValue | undefined): string {
  if (value === undefined) return ''
  return value.kind === 'string' || value.kind === 'number' ? value.text : value.kind
}

/** One sink record as a table row, like the Flink job's print sink showed it, fields as on the topic. */
export function sinkRow(partition: number, message: KafkaMessage): string {
  const read = readRow(message.value?.toString() ?? '')
  const fields = new Map(read.fields.map((value) => [value.field, value]))
  return row([
    String(partition).padStart(COLUMNS[0][1]),
    message.key?.toString() ?? '',
    asWritten(fields.get('event_time')),
    asWritten(fields.get('ticker')),
    asWritten(fields.get('price')).padStart(COLUMNS[4][1]),
  ])
}

/** A dead-lettered record, with the reason from its headers. */
export function deadLetterRow(partition: number, message: KafkaMessage): string {
  const header = (name: string) => message.headers?.[name]?.toString() ?? '?'
  return `dead letter (partition ${partition}): ${header('dlq.reason')} at ${header('dlq.source.topic')}-${header(
    'dlq.source.partition',
  )}@${header('dlq.source.offset')}: ${header('dlq.detail')}`
}
