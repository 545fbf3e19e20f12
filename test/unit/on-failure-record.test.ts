import { describe, expect, it } from 'vitest'
import type { MskRecord } from '../../lib/msk/event.js'
import {
  gaveUpRanges,
  gaveUpRecords,
  kafkaDestinationMessages,
  splitTopicPartition,
  sqsDestinationRecord,
} from '../../lib/ops/on-failure-record.js'

const source = {
  eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/x',
  bootstrapServers: '127.0.0.1:9092',
}
const failure = {
  requestId: 'req-1',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:processor',
  condition: 'RetriesExhausted' as const,
  approximateInvokeCount: 3,
  functionError: 'Unhandled' as const,
  at: new Date('2026-11-25T08:00:00.000Z'),
}
const record = (partition: number, offset: number, key?: string): MskRecord => ({
  topic: 'stocks-in',
  partition,
  offset,
  timestamp: Date.parse('2026-11-25T07:59:00.000Z') + offset,
  timestampType: 'CREATE_TIME',
  ...(key === undefined ? {} : { key: Buffer.from(key).toString('base64') }),
  value: Buffer.from(`{"offset":${offset}}`).toString('base64'),
  headers: [{ h: [1, -1] }],
})

describe('Kafka on-failure destination record (Lambda guide: Using a Kafka topic as an on-failure destination)', () => {
  const records = [record(0, 7, '{"ticker":"AAPL"}'), record(0, 8)]
  const messages = kafkaDestinationMessages(records, failure, source)

  it('is one message per failed record, keyed by its original key, with the documented envelope', () => {
    expect(messages).toHaveLength(2)
    expect(messages[0]?.key?.toString()).toBe('{"ticker":"AAPL"}')
    expect(messages[1]?.key).toBeNull()
    const envelope = JSON.parse(messages[0]?.value ?? '')
    expect(Object.keys(envelope)).toEqual([
      'requestContext',
      'responseContext',
      'version',
      'timestamp',
      'KafkaBatchInfo',
      'payload',
    ])
    expect(envelope.requestContext).toEqual({
      requestId: 'req-1',
      functionArn: failure.functionArn,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    })
    expect(envelope.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    })
    expect(envelope.version).toBe('1.0')
    expect(envelope.timestamp).toBe('2026-11-25T08:00:00.000Z')
    expect(envelope.KafkaBatchInfo).toMatchObject({
      batchSize: 2,
      eventSourceArn: source.eventSourceArn,
      bootstrapServers: source.bootstrapServers,
      recordInfo: { offset: '7', timestamp: '2026-11-25T07:59:00.007Z' },
    })
    expect(envelope.KafkaBatchInfo.payloadSize).toBeGreaterThan(0)
    expect(envelope.payload).toEqual({
      ...source,
      eventSource: 'aws:kafka',
      records: { 'stocks-in-0': [records[0]] },
    })
  })

  it('has no response context for records discarded for their age, which were not invoked', () => {
    const [message] = kafkaDestinationMessages(
      records,
      { ...failure, condition: 'RecordAgeExceeded', functionError: undefined },
      source,
    )
    expect(JSON.parse(message?.value ?? '').responseContext).toBeNull()
  })

  it('reads back as the records it carries, filtered by time and partition', () => {
    const text = messages[0]?.value ?? ''
    expect(gaveUpRecords(text, {})).toEqual({ condition: 'RetriesExhausted', records: [records[0]] })
    expect(gaveUpRecords(text, { partitions: [1] }).records).toEqual([])
    expect(gaveUpRecords(text, { since: new Date('2026-11-25T08:00:00.001Z') }).records).toEqual([])
    expect(gaveUpRecords(text, { until: new Date('2026-11-25T08:00:00.001Z') }).records).toHaveLength(1)
    expect(gaveUpRanges(text)).toEqual([
      {
        topic: 'stocks-in',
        partition: 0,
        firstOffset: 7,
        lastOffset: 7,
        condition: 'RetriesExhausted',
        at: failure.at,
      },
    ])
    expect(() => gaveUpRecords('{"requestContext":{}}', {})).toThrow(/no payload.records/)
  })
})

describe('SQS on-failure destination record (Lambda guide: Capturing discarded batches)', () => {
  it('names each partition range of the batch, with the SQS page condition', () => {
    const sqs = sqsDestinationRecord([record(0, 4), record(0, 9), record(1, 2)], failure, source)
    expect(sqs.requestContext.condition).toBe('RetryAttemptsExhausted')
    expect(sqs.KafkaBatchInfo.batchSize).toBe(3)
    expect(sqs.KafkaBatchInfo.recordsInfo).toEqual({
      'stocks-in-0': {
        firstRecordOffset: '4',
        lastRecordOffset: '9',
        firstRecordTimestamp: '2026-11-25T07:59:00.004Z',
        lastRecordTimestamp: '2026-11-25T07:59:00.009Z',
      },
      'stocks-in-1': {
        firstRecordOffset: '2',
        lastRecordOffset: '2',
        firstRecordTimestamp: '2026-11-25T07:59:00.002Z',
        lastRecordTimestamp: '2026-11-25T07:59:00.002Z',
      },
    })
    expect(
      gaveUpRanges(JSON.stringify(sqs)).map((r) => [r.topic, r.partition, r.firstOffset, r.lastOffset]),
    ).toEqual([
      ['stocks-in', 0, 4, 9],
      ['stocks-in', 1, 2, 2],
    ])
  })

  it('splits topic-partition at the last hyphen and refuses what is not one', () => {
    expect(splitTopicPartition('stocks-in-12')).toEqual({ topic: 'stocks-in', partition: 12 })
    expect(splitTopicPartition('nohyphen')).toBeUndefined()
    expect(splitTopicPartition('topic-x')).toBeUndefined()
    expect(() => gaveUpRanges('[]')).toThrow(/not an on-failure record/)
    expect(() =>
      gaveUpRanges(JSON.stringify({ requestContext: {}, KafkaBatchInfo: { recordsInfo: { bad: {} } } })),
    ).toThrow(/not topic-partition/)
    expect(() => gaveUpRanges(JSON.stringify({ requestContext: {}, KafkaBatchInfo: {} }))).toThrow(
      /names no records/,
    )
  })
})
