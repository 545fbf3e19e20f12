/**
 * Why a record is dead-lettered: stable codes, meant for headers (`dlq.reason`), metrics, alarms and
 * `npm run redrive -- --reason`. A new rule adds its code here.
 */
export const REJECTION_REASONS = [
  /** The record has no value. */
  'TOMBSTONE',
  'EMPTY_VALUE',
  /** Far larger than a stock record (`strict`). */
  'VALUE_TOO_LARGE',
  'INVALID_UTF8',
  'INVALID_JSON',
  'NOT_AN_OBJECT',
  'MISSING_FIELD',
  'DUPLICATE_FIELD',
  'INVALID_FIELD_TYPE',
  'INVALID_TICKER',
  'INVALID_PRICE',
  'INVALID_EVENT_TIME',
  /** Its sink record would be over the topics' `max.message.bytes` (a ticker of a megabyte, say). */
  'RECORD_TOO_LARGE',
] as const

export type RejectionReason = (typeof REJECTION_REASONS)[number]

export interface Rejection {
  readonly reason: RejectionReason
  readonly detail: string
}

export function rejection(reason: RejectionReason, detail: string): Rejection {
  return { reason, detail }
}
