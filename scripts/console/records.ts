import type { IHeaders, KafkaMessage } from 'kafkajs'
import { REDRIVES_HEADER } from '../../lib/ops/redrive.js'
import { DEAD_LETTER_HEADERS } from '../../lib/processor/dead-letter.js'
import { sinkRow, tableHeader } from '../local/table.js'
import {
  countInto,
  deadLetterReason,
  gaveUpCondition,
  type PipelineTopics,
  type TopicRole,
  topicOf,
  topicRoles,
} from '../ops/pipeline-status.js'

/** How many bytes of a key or value the page shows. */
const SHOWN_BYTES = 400
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Bytes as a person reads them: the text if it is UTF-8, else the first bytes in hex; cut at 400 bytes. */
export function showBytes(bytes: Buffer | string | null | undefined): string {
  if (bytes === null || bytes === undefined) return '(null)'
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
  const cut = buffer.length > SHOWN_BYTES
  // Cut text may end inside a character of up to 4 bytes.
  for (let drop = 0; drop <= (cut ? 3 : 0); drop++) {
    try {
      return (
        strictUtf8.decode(buffer.subarray(0, SHOWN_BYTES - drop)) + (cut ? ` … (${buffer.length} bytes)` : '')
      )
    } catch {
      // Not text up to there.
    }
  }
  return `(binary, ${buffer.length} bytes) ${buffer.subarray(0, 32).toString('hex')}${buffer.length > 32 ? '…' : ''}`
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name]
  const first = Array.isArray(value) ? value[0] : value
  return first?.toString()
}

function timeOf(message: KafkaMessage): string {
  return new Date(Number(message.timestamp)).toISOString()
}

export interface DeadLetterView {
  readonly partition: number
  readonly offset: string
  readonly key: string
  readonly value: string
  readonly reason: string
  readonly detail: string
  /** Where the record was read: `topic-partition@offset`. */
  readonly source: string
  readonly deadLetteredAt: string
  readonly redrives: number
  /** What was cut for the record to fit the dead-letter topic, with the original sizes; empty if nothing. */
  readonly truncated: string
}

/** The dead letter's own account of what it cut to fit its topic (`dlq.truncated` and the sizes). */
function truncation(headers: IHeaders | undefined): string {
  const cut = header(headers, DEAD_LETTER_HEADERS.truncated)
  if (cut === undefined) return ''
  const sizes = [
    ['value', header(headers, DEAD_LETTER_HEADERS.valueBytes)],
    ['key', header(headers, DEAD_LETTER_HEADERS.keyBytes)],
  ]
    .filter(([, bytes]) => bytes !== undefined)
    .map(([part, bytes]) => `${part} was ${bytes} bytes`)
  const dropped = header(headers, DEAD_LETTER_HEADERS.headersDropped)
  if (dropped !== undefined) sizes.push(`${dropped} headers left out`)
  return `cut to fit the topic: ${cut}${sizes.length > 0 ? ` (${sizes.join(', ')})` : ''}`
}

/** A dead letter decoded: its record, the reason and detail, and where it came from (its headers). */
export function deadLetterView(partition: number, message: KafkaMessage): DeadLetterView {
  const headers = message.headers
  const coordinate = (name: string) => header(headers, name) ?? '?'
  return {
    partition,
    offset: message.offset,
    key: showBytes(message.key),
    value: showBytes(message.value),
    reason: deadLetterReason(headers),
    detail: header(headers, DEAD_LETTER_HEADERS.detail) ?? '',
    source: `${coordinate(DEAD_LETTER_HEADERS.topic)}-${coordinate(DEAD_LETTER_HEADERS.partition)}@${coordinate(DEAD_LETTER_HEADERS.offset)}`,
    deadLetteredAt: header(headers, DEAD_LETTER_HEADERS.deadLetteredAt) ?? timeOf(message),
    redrives: Number(header(headers, REDRIVES_HEADER) ?? 0) || 0,
    truncated: truncation(headers),
  }
}

export interface GaveUpView {
  readonly partition: number
  readonly offset: string
  readonly key: string
  /** The source record's value, out of the envelope. */
  readonly value: string
  readonly condition: string
  readonly functionError: string
  /** Where the records were read: `topic-partition@offset`, one per record of the envelope. */
  readonly source: string
  readonly gaveUpAt: string
}

interface Envelope {
  readonly timestamp?: string
  readonly responseContext?: { readonly functionError?: string } | null
  readonly payload?: {
    readonly records?: Record<
      string,
      readonly { topic?: string; partition?: number; offset?: number; value?: string | null }[]
    >
  }
}

/** A message of the mapping's Kafka on-failure destination decoded: why, where from, and the record. */
export function gaveUpView(partition: number, message: KafkaMessage): GaveUpView {
  let envelope: Envelope = {}
  try {
    envelope = JSON.parse(message.value?.toString() ?? '') as Envelope
  } catch {
    // Not an envelope Lambda writes: shown as it is, under the condition `unreadable`.
  }
  const records = Object.values(envelope.payload?.records ?? {}).flat()
  const [first] = records
  return {
    partition,
    offset: message.offset,
    key: showBytes(message.key),
    value:
      first === undefined
        ? showBytes(message.value)
        : first.value == null
          ? '(null)'
          : showBytes(Buffer.from(first.value, 'base64')),
    condition: gaveUpCondition(message.value),
    functionError: envelope.responseContext?.functionError ?? '',
    source: records.map((r) => `${r.topic}-${r.partition}@${r.offset}`).join(', '),
    gaveUpAt: envelope.timestamp ?? timeOf(message),
  }
}

export interface LabelView<View> {
  readonly label: string
  readonly count: number
  /** The newest first. */
  readonly latest: readonly View[]
}

/** Counts by label (with the counting of `npm run status`) and keeps the latest few records of each. */
class LabelledRecords<View> {
  readonly counts: Record<string, number> = {}
  readonly #latest = new Map<string, View[]>()
  readonly #keep: number

  constructor(keep: number) {
    this.#keep = keep
  }

  add(label: string, view: () => View): void {
    countInto(this.counts, label)
    // Records of the same few labels are what a person looks at; the counts stay exact for any number.
    if (!this.#latest.has(label) && this.#latest.size >= 50) return
    const latest = this.#latest.get(label) ?? []
    latest.unshift(view())
    latest.length = Math.min(latest.length, this.#keep)
    this.#latest.set(label, latest)
  }

  view(): LabelView<View>[] {
    return Object.entries(this.counts)
      .map(([label, count]) => ({ label, count, latest: this.#latest.get(label) ?? [] }))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
  }
}

export interface BoardView {
  /** Records taken per topic role since reading began. */
  readonly read: Readonly<Record<TopicRole, number>>
  readonly deadLetters: readonly LabelView<DeadLetterView>[]
  /** Per reason, the dead letters redriven before: a redrive skips them unless --force. */
  readonly redrivenBefore: Readonly<Record<string, number>>
  readonly gaveUp: readonly LabelView<GaveUpView>[]
  /** The sink as `npm start` prints it: the header and the latest rows, the newest last. */
  readonly sinkTable: { readonly header: string; readonly rows: readonly string[] }
  readonly lastRecordAt: Readonly<Record<TopicRole, Readonly<Record<number, string>>>>
}

/**
 * What the console shows of the records themselves, fed the messages of the pipeline's topics as a
 * reader takes them: each offset is taken once, so a reader that starts over after an outage and reads
 * some again changes nothing.
 */
export class RecordBoard {
  readonly #roleOf = new Map<string, TopicRole>()
  readonly #next = new Map<string, number>()
  readonly #read = { source: 0, sink: 0, deadLetters: 0, gaveUp: 0 }
  readonly #deadLetters: LabelledRecords<DeadLetterView>
  readonly #redrivenBefore: Record<string, number> = {}
  readonly #gaveUp: LabelledRecords<GaveUpView>
  readonly #sinkRows: string[] = []
  readonly #sinkRowsKept: number
  readonly #lastRecordAt: Record<TopicRole, Record<number, string>> = {
    source: {},
    sink: {},
    deadLetters: {},
    gaveUp: {},
  }

  constructor(topics: PipelineTopics, options: { sinkRows?: number; latest?: number } = {}) {
    for (const role of topicRoles(topics)) this.#roleOf.set(topicOf(topics, role), role)
    this.#sinkRowsKept = options.sinkRows ?? 15
    this.#deadLetters = new LabelledRecords(options.latest ?? 5)
    this.#gaveUp = new LabelledRecords(options.latest ?? 5)
  }

  /** The offset reading goes on from on a partition, once some of it was taken. */
  next(topic: string, partition: number): number | undefined {
    return this.#next.get(`${topic}:${partition}`)
  }

  take(topic: string, partition: number, messages: readonly KafkaMessage[]): void {
    const role = this.#roleOf.get(topic)
    if (role === undefined) return
    const position = `${topic}:${partition}`
    for (const message of messages) {
      const offset = Number(message.offset)
      if (offset < (this.#next.get(position) ?? 0)) continue
      this.#next.set(position, offset + 1)
      this.#read[role]++
      this.#lastRecordAt[role][partition] = timeOf(message)
      if (role === 'sink') {
        this.#sinkRows.push(sinkRow(partition, message))
        if (this.#sinkRows.length > this.#sinkRowsKept) this.#sinkRows.shift()
      } else if (role === 'deadLetters') {
        const reason = deadLetterReason(message.headers)
        this.#deadLetters.add(reason, () => deadLetterView(partition, message))
        if (header(message.headers, REDRIVES_HEADER) !== undefined) countInto(this.#redrivenBefore, reason)
      } else if (role === 'gaveUp') {
        this.#gaveUp.add(gaveUpCondition(message.value), () => gaveUpView(partition, message))
      }
    }
  }

  view(): BoardView {
    return {
      read: { ...this.#read },
      deadLetters: this.#deadLetters.view(),
      redrivenBefore: { ...this.#redrivenBefore },
      gaveUp: this.#gaveUp.view(),
      sinkTable: { header: tableHeader('sink'), rows: [...this.#sinkRows] },
      lastRecordAt: structuredClone(this.#lastRecordAt),
    }
  }
}
