import type { KafkaMessage } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { assertMskEvent, decodeHeaders } from '../../lib/msk/event.js'
import { buildMskEvent, toMskRecord } from '../../scripts/local/msk-event.js'

function message(offset: number, key: string | null, value: string | null, headers = {}): KafkaMessage {
  return {
    offset: String(offset),
    timestamp: '1691468516327',
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers,
    attributes: 0,
    size: 0,
  } as unknown as KafkaMessage
}

describe('buildMskEvent (local event source mapping)', () => {
  const source = {
    eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/x',
    bootstrapServers: ['127.0.0.1:9092'],
  }

  it('builds the event Lambda sends: grouped by topic-partition, base64 key/value, byte-array headers', () => {
    const event = buildMskEvent(
      [
        {
          id: 'stocks-in-0',
          records: [
            toMskRecord('stocks-in', 0, message(5, '{"ticker":"AAPL"}', '{"a":1}', { h: Buffer.from('é') })),
          ],
        },
        { id: 'stocks-in-1', records: [toMskRecord('stocks-in', 1, message(9, null, null))] },
      ],
      source,
    )
    assertMskEvent(event)
    expect(event).toEqual({
      eventSource: 'aws:kafka',
      eventSourceArn: source.eventSourceArn,
      bootstrapServers: '127.0.0.1:9092',
      records: {
        'stocks-in-0': [
          {
            topic: 'stocks-in',
            partition: 0,
            offset: 5,
            timestamp: 1691468516327,
            timestampType: 'CREATE_TIME',
            key: Buffer.from('{"ticker":"AAPL"}').toString('base64'),
            value: Buffer.from('{"a":1}').toString('base64'),
            headers: [{ h: [-61, -87] }],
          },
        ],
        'stocks-in-1': [
          {
            topic: 'stocks-in',
            partition: 1,
            offset: 9,
            timestamp: 1691468516327,
            timestampType: 'CREATE_TIME',
            headers: [],
          },
        ],
      },
    })
    const record = event.records['stocks-in-0']?.[0]
    expect(record && decodeHeaders(record)[0]?.value.toString()).toBe('é')
  })

  it('keeps repeated headers as separate entries, in order', () => {
    const event = buildMskEvent(
      [
        {
          id: 't-0',
          records: [toMskRecord('t', 0, message(1, 'k', 'v', { h: [Buffer.from('a'), Buffer.from('b')] }))],
        },
      ],
      source,
    )
    expect(event.records['t-0']?.[0]?.headers).toEqual([{ h: [97] }, { h: [98] }])
  })
})
