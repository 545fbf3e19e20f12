import type { KafkaMessage } from 'kafkajs'

/** What a live table shows: the sink's records, the dead letters with their reason, or what Lambda gave up on. */
export type TableKind = 'sink' | 'dead-letters' | 'gave-up'
export const TABLE_KINDS: readonly TableKind[] = ['sink', 'dead-letters', 'gave-up']

type Column = readonly [name: string, width: number, align?: 'right']

const COLUMNS: Record<TableKind, readonly Column[]> = {
  sink: [
    ['partition', 9, 'right'],
    ['key', 20],
    ['event_time', 26],
    ['ticker', 6],
    ['price', 8, 'right'],
  ],
  'dead-letters': [
    ['partition', 9, 'right'],
    ['reason', 18],
    ['from', 22],
    ['key', 20],
    ['detail', 0],
  ],
  'gave-up': [
    ['partition', 9, 'right'],
    ['condition', 22],
    ['from', 22],
    ['records', 7, 'right'],
    ['function error', 0],
  ],
}

function row(kind: TableKind, cells: readonly string[]): string {
  return cells
    .map((cell, i) => {
      const [, width = 0, align] = COLUMNS[kind][i] ?? []
      return align === 'right' ? cell.padStart(width) : cell.padEnd(width)
    })
    .join(' | ')
    .trimEnd()
}

export function tableHeader(kind: TableKind): string {
  const header = row(
    kind,
    COLUMNS[kind].map(([name]) => name),
  )
  return `${header}\n${'-'.repeat(Math.max(header.length, 60))}`
}

/**
 * A sink value's fields as they are written on the topic: a string's text, a number's own digits (`44.0`,
 * `1.0E-4`, which JSON.parse would make 44 and 0.0001), `null`; none for a value that is not a JSON object.
 */
function fieldsAsWritten(value: string): Record<string, string> {
  try {
    const fields: unknown = JSON.parse(value, (_key, parsed: unknown, context?: { source?: string }) =>
      typeof parsed === 'object' && parsed !== null
        ? parsed
        : typeof parsed === 'string'
          ? parsed
          : context?.source,
    )
    return typeof fields === 'object' && fields !== null ? (fields as Record<string, string>) : {}
  } catch {
    return {}
  }
}

/** One sink record, like the Flink job's print sink showed it, fields as they are on the topic. */
export function sinkRow(partition: number, message: KafkaMessage): string {
  const fields = fieldsAsWritten(message.value?.toString() ?? '')
  return row('sink', [
    String(partition),
    message.key?.toString() ?? '',
    fields.event_time ?? '',
    fields.ticker ?? '',
    fields.price ?? '',
  ])
}

/** A dead-lettered record: why, and where it came from (its headers). */
export function deadLetterRow(partition: number, message: KafkaMessage): string {
  const header = (name: string) => message.headers?.[name]?.toString() ?? '?'
  return row('dead-letters', [
    String(partition),
    header('dlq.reason'),
    `${header('dlq.source.topic')}-${header('dlq.source.partition')}@${header('dlq.source.offset')}`,
    message.key?.toString() ?? '',
    header('dlq.detail'),
  ])
}

interface GaveUpRecord {
  readonly requestContext?: { readonly condition?: string }
  readonly responseContext?: { readonly functionError?: string } | null
  readonly payload?: { readonly records?: Record<string, readonly { readonly offset: number }[]> }
}

/** A record the event source mapping gave up on (Lambda's Kafka on-failure destination format). */
export function gaveUpRow(partition: number, message: KafkaMessage): string {
  let record: GaveUpRecord = {}
  try {
    record = JSON.parse(message.value?.toString() ?? '{}') as GaveUpRecord
  } catch {
    // Shown with empty cells: not a record Lambda wrote.
  }
  const groups = Object.entries(record.payload?.records ?? {})
  const from = groups.map(([group, records]) => `${group}@${records[0]?.offset ?? '?'}`).join(',')
  const count = groups.reduce((sum, [, records]) => sum + records.length, 0)
  return row('gave-up', [
    String(partition),
    record.requestContext?.condition ?? '?',
    from,
    String(count),
    record.responseContext?.functionError ?? '',
  ])
}

export const ROW_OF: Record<TableKind, (partition: number, message: KafkaMessage) => string> = {
  sink: sinkRow,
  'dead-letters': deadLetterRow,
  'gave-up': gaveUpRow,
}
