import { describe, expect, it } from 'vitest'
import { decodeHeaders } from '../../lib/msk/event.js'
import { REDRIVES_HEADER, redriveDecision } from '../../lib/ops/redrive.js'
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
