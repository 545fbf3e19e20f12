import fc from 'fast-check'
import { Partitioners, type PartitionMetadata } from 'kafkajs'
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

const kafkajsDefault = (topic: string, count: number, key: string | Buffer) =>
  Partitioners.DefaultPartitioner()({
    topic,
    partitionMetadata: partitions(count),
    message: { key, value: null },
  })

describe('rememberingDefaultPartitioner', () => {
  it("places every string key where kafkajs's default partitioner does, first time and from memory", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 64 }), (key, count) => {
        const choose = rememberingDefaultPartitioner()
        const args = { topic: 't', partitionMetadata: partitions(count), message: { key, value: null } }
        const expected = kafkajsDefault('t', count, key)
        expect(choose(args)).toBe(expected)
        expect(choose(args)).toBe(expected)
      }),
    )
  })

  it('forgets what it remembered when the topic gains partitions, and keeps topics apart', () => {
    const choose = rememberingDefaultPartitioner()
    const keys = Array.from({ length: 200 }, (_, i) => `{"ticker":"T${i}"}`)
    const place = (topic: string, count: number) =>
      keys.map((key) =>
        choose({ topic, partitionMetadata: partitions(count), message: { key, value: null } }),
      )
    const expected = (count: number) => keys.map((key) => kafkajsDefault('t', count, key))
    expect(place('a', 2)).toEqual(expected(2))
    expect(place('b', 7)).toEqual(expected(7))
    expect(place('a', 5)).toEqual(expected(5))
    expect(expected(5)).not.toEqual(expected(2))
    expect(place('b', 7)).toEqual(expected(7))
  })

  it('stays right past the number of keys it remembers', () => {
    const choose = rememberingDefaultPartitioner()
    const metadata = partitions(6)
    for (let i = 0; i < 10_050; i++) {
      const key = `key-${i % 10_030}`
      const chosen = choose({ topic: 't', partitionMetadata: metadata, message: { key, value: null } })
      if (chosen !== kafkajsDefault('t', 6, key)) expect.fail(`${key} placed on ${chosen}`)
    }
  })

  it('leaves explicit partitions, Buffer keys and keyless records to kafkajs', () => {
    const choose = rememberingDefaultPartitioner()
    const metadata = partitions(4, [1, 3])
    expect(
      choose({ topic: 't', partitionMetadata: metadata, message: { key: 'k', value: null, partition: 3 } }),
    ).toBe(3)
    const key = Buffer.from('{"ticker":"AAPL"}')
    expect(choose({ topic: 't', partitionMetadata: metadata, message: { key, value: null } })).toBe(
      kafkajsDefault('t', 4, key),
    )
    // Keyless records go round-robin over the partitions that have a leader, as kafkajs sends them.
    const keyless = Array.from({ length: 8 }, () =>
      choose({ topic: 't', partitionMetadata: metadata, message: { value: 'v' } }),
    )
    expect(new Set(keyless)).toEqual(new Set([0, 2]))
  })
})
