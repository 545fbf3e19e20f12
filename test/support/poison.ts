import type { RejectionReason } from '../../lib/stocks/reasons.js'
import { MAX_VALUE_BYTES } from '../../lib/stocks/stock.js'

export interface CorpusEntry {
  readonly name: string
  readonly value: Buffer | null
  /** null for a valid record. */
  readonly reason: RejectionReason | null
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value))
const stock = (overrides: Record<string, unknown> = {}) =>
  json({ event_time: '2023-08-08 04:21:56.327123', ticker: 'AAPL', price: 41.72, ...overrides })

/** Every kind of bad value the processor must dead-letter, between valid ones. */
export const POISON_CORPUS: readonly CorpusEntry[] = [
  { name: 'valid, original producer format', value: stock({ price: 1 }), reason: null },
  { name: 'invalid JSON', value: Buffer.from('{"event_time": "2023-08-08'), reason: 'INVALID_JSON' },
  { name: 'not UTF-8', value: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), reason: 'INVALID_UTF8' },
  {
    name: 'valid, ISO event time',
    value: stock({ event_time: '2023-08-08T04:21:56.400', price: 2 }),
    reason: null,
  },
  { name: 'a JSON array', value: json([1, 2, 3]), reason: 'NOT_AN_OBJECT' },
  {
    name: 'missing price',
    value: json({ event_time: '2023-08-08 04:21:56', ticker: 'AAPL' }),
    reason: 'MISSING_FIELD',
  },
  { name: 'price as a string', value: stock({ price: '41.72' }), reason: 'INVALID_FIELD_TYPE' },
  { name: 'ticker as a number', value: stock({ ticker: 7 }), reason: 'INVALID_FIELD_TYPE' },
  { name: 'empty ticker', value: stock({ ticker: '' }), reason: 'INVALID_TICKER' },
  { name: 'ticker too long', value: stock({ ticker: 'TOOLONG' }), reason: 'INVALID_TICKER' },
  {
    name: 'infinite price',
    value: Buffer.from('{"event_time":"2023-08-08 04:21:56","ticker":"AAPL","price":1e999}'),
    reason: 'INVALID_PRICE',
  },
  { name: 'negative price', value: stock({ price: -0.5 }), reason: 'INVALID_PRICE' },
  {
    name: 'unparseable event time',
    value: stock({ event_time: '08/08/2023 04:21' }),
    reason: 'INVALID_EVENT_TIME',
  },
  { name: 'tombstone', value: null, reason: 'TOMBSTONE' },
  { name: 'oversized value', value: Buffer.alloc(MAX_VALUE_BYTES + 1, 0x20), reason: 'VALUE_TOO_LARGE' },
  { name: 'valid, extra fields', value: stock({ exchange: 'NASDAQ', price: 3 }), reason: null },
  { name: 'valid, last', value: stock({ price: 4 }), reason: null },
]
