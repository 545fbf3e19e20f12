import type { KafkaMessage } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { inProcessInvoker } from '../../scripts/local/invokers.js'
import type { OnFailureDestination } from '../../scripts/local/on-failure-destinations.js'
import {
  type DestinationErrorReport,
  type GiveUpReport,
  PartitionLane,
  REFUSED_WRITE_ATTEMPTS,
} from '../../scripts/local/partition-lane.js'

const messages = (count: number): KafkaMessage[] =>
  Array.from(
    { length: count },
    (_, i) =>
      ({
        offset: String(i),
        key: Buffer.from('k'),
        value: Buffer.from('v'),
        timestamp: String(Date.now()),
        headers: {},
        attributes: 0,
      }) as KafkaMessage,
  )

/** A kafkajs-shaped error: `retriable` false is a refusal that repeating will not cure. */
const kafkaError = (message: string, retriable: boolean) => Object.assign(new Error(message), { retriable })

/** A lane whose function always fails, so its records are given up on after one retry. */
function failingLane(destination: OnFailureDestination) {
  const commits: number[] = []
  const gaveUp: GiveUpReport[] = []
  const errors: DestinationErrorReport[] = []
  let done: () => void = () => undefined
  const finished = new Promise<void>((resolve) => {
    done = resolve
  })
  const lane = new PartitionLane({
    topic: 'stocks-in',
    partition: 0,
    batchSize: 10,
    maximumBatchingWindowMs: 0,
    reportBatchItemFailures: false,
    maximumRetryAttempts: 1,
    maximumRecordAgeMs: -1,
    onFailure: destination,
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:processor',
    eventSourceArn: 'arn:aws:kafka:local',
    bootstrapServers: ['127.0.0.1:9092'],
    retryDelayMs: () => 1,
    invoker: inProcessInvoker(async () => {
      throw new Error('the sink is down')
    }),
    commit: async (offset) => {
      commits.push(offset)
      done()
    },
    onGiveUp: (report) => gaveUp.push(report),
    onDestinationError: (report) => errors.push(report),
    onDrained: () => undefined,
  })
  return { lane, commits, gaveUp, errors, finished }
}

describe('PartitionLane and its on-failure destination', () => {
  it('drops records the destination keeps refusing after a bounded number of writes, reporting each, and moves on', async () => {
    let writes = 0
    const { lane, commits, gaveUp, errors, finished } = failingLane({
      write: async () => {
        writes++
        throw kafkaError('The request included a message larger than the max message size', false)
      },
      close: async () => undefined,
    })
    lane.accept(messages(3))
    await finished
    await lane.stop()

    expect(writes).toBe(REFUSED_WRITE_ATTEMPTS)
    expect(errors.map((e) => [e.attempt, e.willRetry, e.firstOffset, e.lastOffset])).toEqual([
      [1, true, 0, 2],
      [2, true, 0, 2],
      [3, false, 0, 2],
    ])
    expect(gaveUp).toEqual([
      expect.objectContaining({ records: 3, recorded: false, condition: 'RetriesExhausted' }),
    ])
    expect(gaveUp[0]?.deliveryError?.message).toMatch(/larger than the max message size/)
    expect(commits).toEqual([3])
  })

  it('keeps writing to a destination it cannot reach until it takes the records', async () => {
    let writes = 0
    const { lane, commits, gaveUp, errors, finished } = failingLane({
      write: async () => {
        writes++
        if (writes <= 5) throw kafkaError('Connection error: connect ECONNREFUSED', true)
      },
      close: async () => undefined,
    })
    lane.accept(messages(2))
    await finished
    await lane.stop()

    expect(writes).toBe(6)
    expect(errors.every((e) => e.willRetry)).toBe(true)
    expect(gaveUp).toEqual([expect.objectContaining({ records: 2, recorded: true })])
    expect(gaveUp[0]?.deliveryError).toBeUndefined()
    expect(commits).toEqual([2])
  })
})
