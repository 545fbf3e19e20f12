import { describe, expect, it, vi } from 'vitest'
import { InvalidEventError, KafkaDeliveryError } from '../../lib/errors.js'
import type { OutgoingMessage } from '../../lib/kafka/sink.js'
import { logger } from '../../lib/log.js'
import { batchResponse } from '../../lib/processor/batch-response.js'
import { processMskEvent } from '../../lib/processor/process-event.js'
import { fixture } from '../support/fixtures.js'
import { format, sinkRecordsOf } from '../support/format.js'
import { MemorySink } from '../support/memory-sink.js'

const topics = { sinkTopic: 'stocks-out', deadLetterTopic: 'stocks-dlq', format }
const now = () => Date.parse('2026-11-24T09:00:00Z')
const text = (value: OutgoingMessage['value']) => value?.toString()
const header = (message: OutgoingMessage, key: string) =>
  message.headers?.find((h) => h.key === key)?.value.toString()

/** Whether a send carries records of this source partition. */
const fromPartition = (partition: string) => (batches: readonly { messages: readonly OutgoingMessage[] }[]) =>
  batches.some((b) =>
    b.messages.some(
      (m) => header(m, 'source.partition') === partition || header(m, 'dlq.source.partition') === partition,
    ),
  )

/** The partition and the cause's message a log line names. */
const partitionAndCause = (fields: unknown) => {
  const { partition, error } = fields as { partition: string; error: Error }
  return [partition, error.message]
}

/** The processor as the handler runs it: the processing, then its answer to Lambda. */
async function invoke(event: unknown, sink: MemorySink, reportBatchItemFailures = false) {
  return batchResponse(await processMskEvent(event, { sink, ...topics }), reportBatchItemFailures)
}

describe('processMskEvent', () => {
  it('re-keys every valid record by ticker, in the sink format, in event order', async () => {
    const sink = new MemorySink()
    const summary = await processMskEvent(fixture('msk.json'), { sink, ...topics, now })

    expect(summary).toMatchObject({ records: 5, written: 5, deadLettered: 0 })
    const out = sink.messagesFor('stocks-out')
    expect(out.map((m) => [text(m.key), text(m.value)])).toEqual(
      sinkRecordsOf([
        { event_time: '2023-08-08 04:21:56.327123', ticker: 'AAPL', price: 41.72 },
        { event_time: '2023-08-08 04:21:56.327456', ticker: 'MSFT', price: 88.05 },
        // The ISO form, which the strict validation accepts as an extension.
        { event_time: '2023-08-08T04:22:02.411', ticker: 'AAPL', price: 42.1 },
        { event_time: '2023-08-08 04:21:56.328001', ticker: 'NVDA', price: 99.99 },
        { event_time: '2023-08-08 04:21:56.328', ticker: 'V', price: 0 },
      ]),
    )
    expect(
      out.map(
        (m) => `${header(m, 'source.topic')}-${header(m, 'source.partition')}@${header(m, 'source.offset')}`,
      ),
    ).toEqual(['stocks-in-0@120', 'stocks-in-0@121', 'stocks-in-0@122', 'stocks-in-1@87', 'stocks-in-1@88'])
    // One send per source partition, so that one partition's failure cannot fail another's.
    expect(sink.sent).toHaveLength(2)
  })

  it('dead-letters bad records untouched, with the reason, and still writes the good ones in order', async () => {
    const sink = new MemorySink()
    const event = fixture('msk-with-bad-records.json')
    const summary = await processMskEvent(event, { sink, ...topics, now })

    expect(summary).toMatchObject({ records: 7, written: 2, deadLettered: 5 })
    expect(summary.partitions.map((part) => [part.id, part.deadLetterReasons])).toEqual([
      ['stocks-in-0', { INVALID_JSON: 1, INVALID_TICKER: 1 }],
      ['stocks-in-1', { INVALID_EVENT_TIME: 1, TOMBSTONE: 1, INVALID_PRICE: 1 }],
    ])
    expect(sink.messagesFor('stocks-out').map((m) => JSON.parse(text(m.value) ?? '').ticker)).toEqual([
      'AAPL',
      'IBM',
    ])

    const dead = sink.messagesFor('stocks-dlq')
    expect(dead.map((m) => header(m, 'dlq.reason'))).toEqual([
      'INVALID_JSON',
      'INVALID_TICKER',
      'INVALID_EVENT_TIME',
      'TOMBSTONE',
      'INVALID_PRICE',
    ])
    expect(dead.map((m) => header(m, 'dlq.source.offset'))).toEqual(['201', '202', '300', '301', '302'])
    const [notJson] = dead
    const original = event.records['stocks-in-0']?.[1]
    expect(notJson?.key).toEqual(Buffer.from(original?.key ?? '', 'base64'))
    expect(notJson?.value).toEqual(Buffer.from(original?.value ?? '', 'base64'))
    expect(header(notJson as OutgoingMessage, 'trace-id')).toBe('7f3aé')
    expect(header(notJson as OutgoingMessage, 'dlq.source.topic')).toBe('stocks-in')
    expect(header(notJson as OutgoingMessage, 'dlq.source.partition')).toBe('0')
    expect(header(notJson as OutgoingMessage, 'dlq.source.timestamp')).toBe('1691468600001')
    expect(header(notJson as OutgoingMessage, 'dlq.dead-lettered-at')).toBe('2026-11-24T09:00:00.000Z')
    expect(dead[3]?.value).toBeNull()
  })

  it('fails the invocation when the sink does not acknowledge, so Lambda retries the batch', async () => {
    const sink = new MemorySink()
    sink.failNext = new KafkaDeliveryError('broker gone')
    await expect(invoke(fixture('msk.json'), sink)).rejects.toThrow('broker gone')
  })

  it('sends the other partitions when one fails, then fails the invocation naming the one that failed', async () => {
    const sink = new MemorySink()
    sink.failWhen = (batches) =>
      fromPartition('1')(batches) ? new KafkaDeliveryError('MESSAGE_TOO_LARGE') : undefined
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined)

    const failure = invoke(fixture('msk.json'), sink)
    await expect(failure).rejects.toThrow(KafkaDeliveryError)
    await expect(failure).rejects.toThrow(
      '1 of 2 partitions not acknowledged; Lambda retries them: stocks-in-1 from offset 87 (2 records): MESSAGE_TOO_LARGE',
    )
    expect(sink.messagesFor('stocks-out').map((m) => header(m, 'source.offset'))).toEqual([
      '120',
      '121',
      '122',
    ])
    expect(errors.mock.calls.map(([message, fields]) => [message, partitionAndCause(fields)])).toEqual([
      ['Partition not acknowledged', ['stocks-in-1', 'MESSAGE_TOO_LARGE']],
    ])
    errors.mockRestore()
  })

  it('fails fast on an event that is not from MSK, before sending anything', async () => {
    const sink = new MemorySink()
    await expect(processMskEvent(fixture('schedule.json'), { sink, ...topics })).rejects.toThrow(
      InvalidEventError,
    )
    expect(sink.sent).toHaveLength(0)
  })

  describe('with partial batch responses', () => {
    it('sends each source partition on its own and reports only the one that failed', async () => {
      const sink = new MemorySink()
      sink.failWhen = (batches) =>
        fromPartition('1')(batches) ? new KafkaDeliveryError('partition gone') : undefined
      const result = await processMskEvent(fixture('msk.json'), { sink, ...topics })

      expect(batchResponse(result, true).batchItemFailures).toEqual([
        { itemIdentifier: { partition: 'stocks-in-1', offset: 87 } },
      ])
      expect(result).toMatchObject({ records: 5, written: 3, notAcknowledged: 2 })
      expect(result.partitions.map((part) => [part.id, part.error?.message])).toEqual([
        ['stocks-in-0', undefined],
        ['stocks-in-1', 'partition gone'],
      ])
      expect(sink.messagesFor('stocks-out').map((m) => header(m, 'source.offset'))).toEqual([
        '120',
        '121',
        '122',
      ])
    })

    it('reports no failures when every partition is acknowledged', async () => {
      const sink = new MemorySink()
      const summary = await invoke(fixture('msk.json'), sink, true)
      expect(summary).toMatchObject({ records: 5, written: 5, batchItemFailures: [] })
      expect(sink.sent).toHaveLength(2)
    })

    it('fails the invocation when no partition is acknowledged, naming each with its own cause', async () => {
      const sink = new MemorySink()
      sink.failWhen = (batches) =>
        new KafkaDeliveryError(fromPartition('0')(batches) ? 'cluster gone' : 'leader not available')
      const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined)
      const failure = invoke(fixture('msk.json'), sink, true)
      await expect(failure).rejects.toThrow(
        '2 of 2 partitions not acknowledged; Lambda retries them: stocks-in-0 from offset 120 (3 records): ' +
          'cluster gone; stocks-in-1 from offset 87 (2 records): leader not available',
      )
      expect(errors.mock.calls.map(([, fields]) => partitionAndCause(fields))).toEqual([
        ['stocks-in-0', 'cluster gone'],
        ['stocks-in-1', 'leader not available'],
      ])
      errors.mockRestore()
    })
  })
})
