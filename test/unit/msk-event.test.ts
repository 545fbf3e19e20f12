import { describe, expect, it } from 'vitest'
import { InvalidEventError } from '../../lib/errors.js'
import { assertMskEvent, decodeHeaders } from '../../lib/msk/event.js'
import { fixture } from '../support/fixtures.js'

describe('assertMskEvent', () => {
  it('accepts the sample events', () => {
    expect(() => assertMskEvent(fixture('msk.json'))).not.toThrow()
    expect(() => assertMskEvent(fixture('msk-with-bad-records.json'))).not.toThrow()
  })

  const record = { topic: 'stocks-in', partition: 0, offset: 1, timestamp: 1, timestampType: 'CREATE_TIME' }
  it.each([
    ['null', null, /not an object/],
    ['a schedule event', fixture('schedule.json'), /eventSource is undefined/],
    ['an SQS event', { Records: [{ eventSource: 'aws:sqs' }] }, /eventSource/],
    ['no records', { eventSource: 'aws:kafka' }, /records is missing/],
    [
      'records as a list',
      { eventSource: 'aws:kafka', records: [record] },
      /records is missing or not an object/,
    ],
    [
      'a group that is not a list',
      { eventSource: 'aws:kafka', records: { 'stocks-in-0': record } },
      /not an array/,
    ],
    [
      'a record in the wrong group',
      { eventSource: 'aws:kafka', records: { 'stocks-in-1': [record] } },
      /does not belong to group "stocks-in-1"/,
    ],
    [
      'a string offset',
      { eventSource: 'aws:kafka', records: { 'stocks-in-0': [{ ...record, offset: '1' }] } },
      /offset is not an integer/,
    ],
    [
      'a value that is not base64 text',
      { eventSource: 'aws:kafka', records: { 'stocks-in-0': [{ ...record, value: [1, 2] }] } },
      /value is not a base64 string/,
    ],
    [
      "a record of another topic sharing the group's ending",
      { eventSource: 'aws:kafka', records: { 'in-0': [record] } },
      /does not belong to group "in-0"/,
    ],
    [
      'a group naming the partition with a leading zero',
      { eventSource: 'aws:kafka', records: { 'stocks-in-00': [record] } },
      /does not belong to group "stocks-in-00"/,
    ],
    [
      'a group without a partition',
      { eventSource: 'aws:kafka', records: { stocksin0: [record] } },
      /does not belong to group "stocksin0"/,
    ],
  ])('rejects %s with a clear message', (_name, event, message) => {
    expect(() => assertMskEvent(event)).toThrow(InvalidEventError)
    expect(() => assertMskEvent(event)).toThrow(message)
  })
})

it('accepts records of a topic whose name has dashes and digits, in its own group', () => {
  const records = { 'my-topic-7-12': [{ topic: 'my-topic-7', partition: 12, offset: 0, timestamp: 1 }] }
  expect(() => assertMskEvent({ eventSource: 'aws:kafka', records })).not.toThrow()
})

describe('records', () => {
  it('decodes header values sent as Java (signed) bytes', () => {
    const [header] = decodeHeaders({
      topic: 't',
      partition: 0,
      offset: 0,
      timestamp: 0,
      timestampType: 'CREATE_TIME',
      headers: [{ 'trace-id': [55, 102, -61, -87] }],
    })
    expect(header?.key).toBe('trace-id')
    expect(header?.value.toString('utf8')).toBe('7fé')
  })
})
