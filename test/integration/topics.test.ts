import { randomUUID } from 'node:crypto'
import { setTimeout } from 'node:timers/promises'
import kafkajs from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { TopicConfigurationError } from '../../lib/errors.js'
import { ensureTopics, ensureTopicsOn, topicSpecs } from '../../lib/kafka/topics.js'
import { connectedAdmin, testKafka } from '../support/kafka.js'

// The topics function's own test (topics-custom-resource) drives these rules through the deployed bundle;
// this one holds each rule of lib/kafka/topics.ts on its own, and that a refusal changes nothing.
const kafka = testKafka()
const admin = connectedAdmin(kafka)
const names = (...stems: string[]) => {
  const suffix = randomUUID().slice(0, 8)
  return stems.map((stem) => `${stem}-${suffix}`)
}

async function maxMessageBytesOf(topic: string): Promise<string | undefined> {
  const { resources } = await admin().describeConfigs({
    includeSynonyms: false,
    resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
  })
  return resources[0]?.configEntries[0]?.configValue
}

const partitionsOf = async (topic: string) =>
  (await admin().fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length

/** The topic's partition count once it is `count`: partitions added reach the metadata a moment later. */
async function partitionsReach(topic: string, count: number): Promise<number | undefined> {
  const deadline = Date.now() + 30_000
  let partitions = await partitionsOf(topic)
  while (partitions !== count && Date.now() < deadline) {
    await setTimeout(200)
    partitions = await partitionsOf(topic)
  }
  return partitions
}

describe('ensureTopics on the real broker', () => {
  it('creates the missing topics with their partitions and record limit, then leaves them as they are', async () => {
    const [a, b] = names('ensure-a', 'ensure-b') as [string, string]
    const specs = topicSpecs([a, b], { numPartitions: 3, maxMessageBytes: 2_097_152 })
    expect(await ensureTopicsOn(kafka, specs)).toEqual({ created: [a, b], extended: [] })
    expect(await partitionsOf(a)).toBe(3)
    expect(await maxMessageBytesOf(b)).toBe('2097152')
    expect(await ensureTopics(admin(), specs)).toEqual({ created: [], extended: [] })
  })

  it('adds partitions to a topic that has fewer, and creates the one missing beside it', async () => {
    const [existing, missing] = names('ensure-grow', 'ensure-new') as [string, string]
    await ensureTopics(admin(), topicSpecs([existing], { numPartitions: 1 }))
    expect(await ensureTopics(admin(), topicSpecs([existing, missing], { numPartitions: 2 }))).toEqual({
      created: [missing],
      extended: [existing],
    })
    expect(await partitionsReach(existing, 2)).toBe(2)
  })

  it.each([
    ['more partitions than asked', { numPartitions: 1 }, /has 2 partitions; Kafka cannot reduce them to 1/],
    [
      'another replication factor',
      { replicationFactor: 3 },
      /has replication factor 1, not 3; Kafka does not change it in place/,
    ],
    [
      'a smaller record limit than the functions write',
      { maxMessageBytes: 4_194_304 },
      /take smaller record batches \(max\.message\.bytes\) than the functions write \(4194304\)/,
    ],
  ])('refuses a topic with %s, naming it, before creating any other', async (_, shape, reason) => {
    const [existing, missing] = names('ensure-refused', 'ensure-not-made') as [string, string]
    await ensureTopics(admin(), topicSpecs([existing], { numPartitions: 2 }))
    const refusal = ensureTopics(admin(), topicSpecs([existing, missing], shape))
    await expect(refusal).rejects.toThrow(TopicConfigurationError)
    await expect(refusal).rejects.toThrow(reason)
    await expect(refusal).rejects.toThrow(existing)
    expect(await admin().listTopics()).not.toContain(missing)
  })
})
