import fc from 'fast-check'
import { type PartitionerArgs, Partitioners, type PartitionMetadata } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { rememberingDefaultPartitioner } from '../../lib/kafka/key-partitioner.js'

const partitions = (count: number, leaderless: readonly number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }))

const kafkajsDefault = (count: number, key: string | Buffer, leaderless: readonly number[] = []) =>
  Partitioners.DefaultPartitioner()({
    topic: 't',
    partitionMetadata: partitions(count, leaderless),
    message: { key, value: null },
  })

/** kafkajs's default partitioner, counting how often it is asked. */
function countingDefault() {
  const choose = Partitioners.DefaultPartitioner()
  const calls = { count: 0 }
  return {
    calls,
    choose: (args: PartitionerArgs) => {
      calls.count++
      return choose(args)
    },
  }
}

const keyed = (topic: string, count: number, key: string): PartitionerArgs => ({
  topic,
  partitionMetadata: partitions(count),
  message: { key, value: null },
})

describe('rememberingDefaultPartitioner', () => {
  it("places every string key where kafkajs's default partitioner does, first time and from memory", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.nat(63), { maxLength: 4 }),
        (key, count, leaderless) => {
          const choose = rememberingDefaultPartitioner()
          const args = {
            topic: 't',
            partitionMetadata: partitions(count, leaderless),
            message: { key, value: null },
          }
          const expected = kafkajsDefault(count, key, leaderless)
          expect(choose(args)).toBe(expected)
          expect(choose(args)).toBe(expected)
        },
      ),
    )
  })

  it('hashes each key once per topic and partition count, and again when the count changes', () => {
    const { calls, choose } = countingDefault()
    const remembering = rememberingDefaultPartitioner(choose)
    const keys = Array.from({ length: 17 }, (_, i) => `{"ticker":"T${i}"}`)
    const place = (topic: string, count: number) => keys.map((key) => remembering(keyed(topic, count, key)))
    const expected = (count: number) => keys.map((key) => kafkajsDefault(count, key))

    expect(place('sink', 2)).toEqual(expected(2))
    expect(place('dead-letter', 1)).toEqual(expected(1))
    expect(calls.count).toBe(34)
    // The sink and dead-letter topics taking turns, as in every event, are served from memory.
    for (let i = 0; i < 3; i++) {
      expect(place('sink', 2)).toEqual(expected(2))
      expect(place('dead-letter', 1)).toEqual(expected(1))
    }
    expect(calls.count).toBe(34)
    expect(place('sink', 5)).toEqual(expected(5))
    expect(expected(5)).not.toEqual(expected(2))
    expect(calls.count).toBe(51)
  })

  it('starts over past the number of keys it remembers, and stays right', () => {
    const { calls, choose } = countingDefault()
    const remembering = rememberingDefaultPartitioner(choose)
    for (let i = 0; i < 10_000; i++) remembering(keyed('t', 6, `key-${i}`))
    expect(remembering(keyed('t', 6, 'key-0'))).toBe(kafkajsDefault(6, 'key-0'))
    expect(calls.count).toBe(10_000)
    // The 10,001st key empties the memory before it is remembered: key-0 is hashed again.
    expect(remembering(keyed('t', 6, 'key-new'))).toBe(kafkajsDefault(6, 'key-new'))
    expect(remembering(keyed('t', 6, 'key-0'))).toBe(kafkajsDefault(6, 'key-0'))
    expect(calls.count).toBe(10_002)
  })

  it('leaves explicit partitions, Buffer keys and keyless records to kafkajs, every time', () => {
    const { calls, choose } = countingDefault()
    const remembering = rememberingDefaultPartitioner(choose)
    const metadata = partitions(4, [1, 3])
    const explicit = {
      topic: 't',
      partitionMetadata: metadata,
      message: { key: 'k', value: null, partition: 3 },
    }
    expect(remembering(explicit)).toBe(3)
    const key = Buffer.from('{"ticker":"AAPL"}')
    expect(remembering({ topic: 't', partitionMetadata: metadata, message: { key, value: null } })).toBe(
      kafkajsDefault(4, key),
    )
    // Keyless records go round-robin over the partitions that have a leader, as kafkajs sends them.
    const keyless = Array.from({ length: 8 }, () =>
      remembering({ topic: 't', partitionMetadata: metadata, message: { value: 'v' } }),
    )
    expect(new Set(keyless)).toEqual(new Set([0, 2]))
    expect(calls.count).toBe(10)
  })
})
