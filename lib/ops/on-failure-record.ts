import { groupByPartition, type MskEvent, type MskRecord } from '../msk/event.js'

/**
 * What Lambda's Kafka event source mapping writes to its on-failure destination when it gives up on a
 * batch, built here by the local mapping and read back by `npm run replay`.
 *
 * Kafka topic destination ("Using a Kafka topic as an on-failure destination",
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html): one message per failed
 * record, keyed by the record's own key, whose value is a JSON envelope with the failure metadata and the
 * record itself as an MSK event in `payload`.
 *
 * SQS (and SNS) destination ("Capturing discarded batches for Amazon MSK and self-managed Apache Kafka
 * event sources", https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html): one message per
 * batch, with the coordinates of its records (`recordsInfo`, per `topic-partition`), not the records.
 *
 * The Kafka page writes the condition `RetriesExhausted`, the SQS page `RetryAttemptsExhausted`; records
 * discarded for their age get a condition neither page names, so the local mapping writes
 * `RecordAgeExceeded` and readers accept any condition.
 */
export type GiveUpCondition = 'RetriesExhausted' | 'RetryAttemptsExhausted' | 'RecordAgeExceeded'

export interface InvocationFailure {
  readonly requestId: string
  readonly functionArn: string
  readonly condition: GiveUpCondition
  readonly approximateInvokeCount: number
  /** Absent when the records were discarded without an invocation (their age). */
  readonly functionError?: 'Unhandled' | undefined
  readonly at: Date
}

export interface KafkaBatchSource {
  readonly eventSourceArn: string
  readonly bootstrapServers: string
}

export interface KafkaDestinationRecord {
  readonly requestContext: {
    readonly requestId: string
    readonly functionArn: string
    readonly condition: string
    readonly approximateInvokeCount: number
  }
  readonly responseContext: {
    readonly statusCode: number
    readonly executedVersion: string
    readonly functionError: string
  } | null
  readonly version: '1.0'
  readonly timestamp: string
  readonly KafkaBatchInfo: {
    readonly batchSize: number
    readonly eventSourceArn: string
    readonly bootstrapServers: string
    readonly payloadSize: number
    readonly recordInfo: { readonly offset: string; readonly timestamp: string }
  }
  readonly payload: MskEvent
}

export interface SqsDestinationRecord extends Omit<KafkaDestinationRecord, 'KafkaBatchInfo' | 'payload'> {
  readonly KafkaBatchInfo: {
    readonly batchSize: number
    readonly eventSourceArn: string
    readonly bootstrapServers: string
    readonly payloadSize: number
    readonly recordsInfo: Record<
      string,
      {
        readonly firstRecordOffset: string
        readonly lastRecordOffset: string
        readonly firstRecordTimestamp: string
        readonly lastRecordTimestamp: string
      }
    >
  }
}

function contexts(failure: InvocationFailure) {
  return {
    requestContext: {
      requestId: failure.requestId,
      functionArn: failure.functionArn,
      condition: failure.condition,
      approximateInvokeCount: failure.approximateInvokeCount,
    },
    responseContext:
      failure.functionError === undefined
        ? null
        : { statusCode: 200, executedVersion: '$LATEST', functionError: failure.functionError },
    version: '1.0' as const,
    timestamp: failure.at.toISOString(),
  }
}

function eventOf(records: readonly MskRecord[], source: KafkaBatchSource): MskEvent {
  return {
    bootstrapServers: source.bootstrapServers,
    eventSource: 'aws:kafka',
    eventSourceArn: source.eventSourceArn,
    records: groupByPartition(records),
  }
}

/** The Kafka-destination messages for a batch given up on: one per record, keyed by its original key. */
export function kafkaDestinationMessages(
  records: readonly MskRecord[],
  failure: InvocationFailure,
  source: KafkaBatchSource,
): { key: Buffer | null; value: string }[] {
  const shared = contexts(failure)
  const payloadSize = JSON.stringify(eventOf(records, source)).length
  return records.map((record) => {
    const envelope: KafkaDestinationRecord = {
      ...shared,
      KafkaBatchInfo: {
        batchSize: records.length,
        eventSourceArn: source.eventSourceArn,
        bootstrapServers: source.bootstrapServers,
        payloadSize,
        recordInfo: { offset: String(record.offset), timestamp: new Date(record.timestamp).toISOString() },
      },
      payload: eventOf([record], source),
    }
    return {
      key: typeof record.key === 'string' ? Buffer.from(record.key, 'base64') : null,
      value: JSON.stringify(envelope),
    }
  })
}

/** The SQS-destination invocation record for a batch given up on: where its records are, per partition. */
export function sqsDestinationRecord(
  records: readonly MskRecord[],
  failure: InvocationFailure,
  source: KafkaBatchSource,
): SqsDestinationRecord {
  const event = eventOf(records, source)
  const recordsInfo: SqsDestinationRecord['KafkaBatchInfo']['recordsInfo'] = {}
  for (const [id, group] of Object.entries(event.records)) {
    const first = group[0]
    const last = group[group.length - 1]
    if (first === undefined || last === undefined) continue
    recordsInfo[id] = {
      firstRecordOffset: String(first.offset),
      lastRecordOffset: String(last.offset),
      firstRecordTimestamp: new Date(first.timestamp).toISOString(),
      lastRecordTimestamp: new Date(last.timestamp).toISOString(),
    }
  }
  const shared = contexts(failure)
  return {
    ...shared,
    requestContext: {
      ...shared.requestContext,
      // The SQS page's name for the same condition.
      condition: failure.condition === 'RetriesExhausted' ? 'RetryAttemptsExhausted' : failure.condition,
    },
    KafkaBatchInfo: {
      batchSize: records.length,
      eventSourceArn: source.eventSourceArn,
      bootstrapServers: source.bootstrapServers,
      payloadSize: JSON.stringify(event).length,
      recordsInfo,
    },
  }
}

/** A range of source offsets the mapping gave up on, as replay needs it. */
export interface GaveUpRange {
  readonly topic: string
  readonly partition: number
  readonly firstOffset: number
  readonly lastOffset: number
  readonly condition: string
  /** When the mapping gave up. */
  readonly at: Date
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `topic-partition` split at its last hyphen (topic names may hold hyphens). */
export function splitTopicPartition(id: string): { topic: string; partition: number } | undefined {
  const at = id.lastIndexOf('-')
  const partition = Number(id.slice(at + 1))
  if (at <= 0 || !Number.isInteger(partition) || partition < 0) return undefined
  return { topic: id.slice(0, at), partition }
}

/**
 * The source ranges named by one on-failure destination record, of either kind: the Kafka envelope's
 * `payload` records, or the SQS record's `recordsInfo`. Throws on anything else, naming what is missing.
 */
export function gaveUpRanges(text: string): GaveUpRange[] {
  const record: unknown = JSON.parse(text)
  if (!isObject(record) || !isObject(record.KafkaBatchInfo) || !isObject(record.requestContext)) {
    throw new Error('not an on-failure record: no KafkaBatchInfo or requestContext')
  }
  const condition = String(record.requestContext.condition ?? 'unknown')
  const at = new Date(String(record.timestamp))
  const ranges: GaveUpRange[] = []
  if (isObject(record.payload) && isObject(record.payload.records)) {
    for (const group of Object.values(record.payload.records)) {
      for (const one of Array.isArray(group) ? (group as MskRecord[]) : []) {
        ranges.push({
          topic: one.topic,
          partition: one.partition,
          firstOffset: one.offset,
          lastOffset: one.offset,
          condition,
          at,
        })
      }
    }
    return ranges
  }
  const info = record.KafkaBatchInfo.recordsInfo
  if (!isObject(info)) throw new Error('on-failure record names no records (no payload, no recordsInfo)')
  for (const [id, range] of Object.entries(info)) {
    const where = splitTopicPartition(id)
    if (where === undefined || !isObject(range))
      throw new Error(`recordsInfo key "${id}" is not topic-partition`)
    ranges.push({
      ...where,
      firstOffset: Number(range.firstRecordOffset),
      lastOffset: Number(range.lastRecordOffset),
      condition,
      at,
    })
  }
  return ranges
}

export interface ReplayFilter {
  /** Only what was given up on at or after this time. */
  readonly since?: Date
  /** Only what was given up on before this time. */
  readonly until?: Date
  /** Only these source partitions; all when empty. */
  readonly partitions?: readonly number[]
}

/** The records a Kafka-destination message carries that the filter selects, with its condition. */
export function gaveUpRecords(
  text: string,
  filter: ReplayFilter,
): { condition: string; records: MskRecord[] } {
  const envelope = JSON.parse(text) as Partial<KafkaDestinationRecord>
  if (!isObject(envelope.payload) || !isObject(envelope.payload.records)) {
    throw new Error('not a Kafka on-failure record: no payload.records')
  }
  const condition = String(envelope.requestContext?.condition ?? 'unknown')
  const at = Date.parse(String(envelope.timestamp))
  const inTime =
    (filter.since === undefined || at >= filter.since.getTime()) &&
    (filter.until === undefined || at < filter.until.getTime())
  const records = Object.values(envelope.payload.records)
    .flat()
    .filter(
      (record) =>
        inTime &&
        (filter.partitions === undefined ||
          filter.partitions.length === 0 ||
          filter.partitions.includes(record.partition)),
    )
  return { condition, records }
}
