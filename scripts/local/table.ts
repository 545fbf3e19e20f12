import type { KafkaMessage } from 'kafkajs'

const COLUMNS = [
  ['partition', 9],
  ['key', 20],
  ['event_time', 23],
  ['ticker', 6],
  ['price', 7],
] as const

function row(cells: readonly string[]): string {
  return cells.map((cell, i) => cell.padEnd(COLUMNS[i]?.[1] ?? 0)).join(' | ')
}

export function tableHeader(): string {
  const header = row(COLUMNS.map(([name]) => name))
  return `${header}\n${'-'.repeat(header.length)}`
}

/** One sink record as a table row, like the Flink job's print sink showed it. */
export function sinkRow(partition: number, message: KafkaMessage): string {
  const value = JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown> | null
  return row([
    String(partition).padStart(COLUMNS[0][1]),
    message.key?.toString() ?? '',
    String(value?.event_time ?? ''),
    String(value?.ticker ?? ''),
    String(value?.price ?? '').padStart(COLUMNS[4][1]),
  ])
}

/** A dead-lettered record, with the reason from its headers. */
export function deadLetterRow(partition: number, message: KafkaMessage): string {
  const header = (name: string) => message.headers?.[name]?.toString() ?? '?'
  return `dead letter (partition ${partition}): ${header('dlq.reason')} at ${header('dlq.source.topic')}-${header(
    'dlq.source.partition',
  )}@${header('dlq.source.offset')}: ${header('dlq.detail')}`
}
