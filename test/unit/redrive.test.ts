import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeHeaders } from '../../lib/msk/event.js'
import {
  originalOf,
  REDRIVES_HEADER,
  redriveDecision,
  type SourceCoordinates,
} from '../../lib/ops/redrive.js'
import { transformRecord } from '../../lib/processor/transform.js'
import { transformOptions } from '../support/format.js'

const original = {
  topic: 'stocks-in',
  partition: 1,
  offset: 42,
  timestamp: 1_764_057_600_000,
  timestampType: 'CREATE_TIME' as const,
  key: Buffer.from([0xff, 0x00, 0x7b]).toString('base64'),
  value: Buffer.from('{"ticker":"AAPL","price":"12.5","event_time":"2026-11-25T08:00:00"}').toString(
    'base64',
  ),
  headers: [{ trace: [-34, -83] }, { trace: [1] }],
}

function deadLetterOf(record = original, at = Date.parse('2026-11-25T09:00:00Z')) {
  const outcome = transformRecord(record, transformOptions({ deadLetteredAt: at }))
  if (outcome.kind !== 'dead-letter') throw new Error('expected a dead letter')
  return {
    key: outcome.message.key as Buffer,
    value: outcome.message.value as Buffer,
    headers: (outcome.message.headers ?? []).map((h) => ({ key: h.key, value: Buffer.from(h.value) })),
  }
}

describe('redriveDecision', () => {
  it('gives back the original record byte for byte, at its coordinates, counting the redrive', () => {
    const decision = redriveDecision(deadLetterOf(), {})
    expect(decision.redrive).toBe(true)
    if (!decision.redrive) return
    const { headers, ...rest } = decision.record
    const { headers: originalHeaders, ...originalRest } = original
    expect(rest).toEqual(originalRest)
    expect(headers).toEqual([...originalHeaders, { [REDRIVES_HEADER]: [49] }])
    expect(decision.reason).toBe('INVALID_FIELD_TYPE')
  })

  it('dead-lettered again, keeps its count and is skipped unless forced', () => {
    const first = redriveDecision(deadLetterOf(), {})
    if (!first.redrive) throw new Error('expected a redrive')
    const again = deadLetterOf({ ...first.record, timestampType: 'CREATE_TIME' } as typeof original)
    expect(
      decodeHeaders(first.record)
        .find((h) => h.key === REDRIVES_HEADER)
        ?.value.toString(),
    ).toBe('1')
    expect(redriveDecision(again, {})).toMatchObject({ redrive: false, skipped: 'redriven-before' })
    const forced = redriveDecision(again, { force: true })
    expect(forced.redrive && forced.record.headers?.at(-1)).toEqual({ [REDRIVES_HEADER]: [50] })
  })

  it('selects by reason and by when the record was dead-lettered', () => {
    const letter = deadLetterOf()
    expect(redriveDecision(letter, { reasons: ['INVALID_JSON'] })).toMatchObject({
      redrive: false,
      skipped: 'filtered',
    })
    expect(redriveDecision(letter, { reasons: ['INVALID_FIELD_TYPE'] }).redrive).toBe(true)
    expect(redriveDecision(letter, { since: new Date('2026-11-25T09:00:01Z') }).redrive).toBe(false)
    expect(redriveDecision(letter, { until: new Date('2026-11-25T09:00:00Z') }).redrive).toBe(false)
    expect(
      redriveDecision(letter, {
        since: new Date('2026-11-25T09:00:00Z'),
        until: new Date('2026-11-25T09:00:01Z'),
      }).redrive,
    ).toBe(true)
  })

  it('leaves alone what is not a dead letter of this pipeline', () => {
    expect(redriveDecision({ key: null, value: Buffer.from('x'), headers: [] }, {})).toMatchObject({
      redrive: false,
      skipped: 'not-a-dead-letter',
    })
  })
})

describe('a dead letter cut to fit its topic', () => {
  const big = {
    ...original,
    value: Buffer.alloc(40_000, 'x').toString('base64'),
    headers: [{ trace: [1] }],
  }
  const cutLetter = () => {
    const outcome = transformRecord(big, transformOptions({ maxMessageBytes: 16_384 }))
    if (outcome.kind !== 'dead-letter') throw new Error('expected a dead letter')
    return {
      key: outcome.message.key as Buffer,
      value: outcome.message.value as Buffer,
      headers: (outcome.message.headers ?? []).map((h) => ({ key: h.key, value: Buffer.from(h.value) })),
    }
  }

  it('is redriven as its whole record, read back from where the dead letter says it is', () => {
    const decision = redriveDecision(cutLetter(), {})
    if (!decision.redrive) throw new Error('expected a redrive')
    expect(decision.fetch).toEqual({
      topic: 'stocks-in',
      partition: 1,
      offset: 42,
      valueSha256: createHash('sha256').update(Buffer.alloc(40_000, 'x')).digest('hex'),
    })
    const whole = originalOf(decision.record, big, decision.fetch as SourceCoordinates)
    expect(whole?.value).toBe(big.value)
    expect(whole?.headers).toEqual([{ trace: [1] }, { [REDRIVES_HEADER]: [49] }])
  })

  it('is not redriven from a record that is not the one it was cut from', () => {
    const decision = redriveDecision(cutLetter(), {})
    if (!decision.redrive || decision.fetch === undefined) throw new Error('expected a cut dead letter')
    const other = { ...big, value: Buffer.alloc(40_000, 'y').toString('base64') }
    expect(originalOf(decision.record, other, decision.fetch)).toBeUndefined()
  })

  it('a dead letter that was not cut needs nothing read back', () => {
    const decision = redriveDecision(deadLetterOf(), {})
    expect(decision.redrive && decision.fetch).toBeUndefined()
  })
})
