import { Partitioners } from 'kafkajs'

const choose = Partitioners.DefaultPartitioner()

/**
 * The partition a keyed record lands on among `count`, by the partitioner the sink uses (kafkajs's
 * default: murmur2 of the key bytes, as the Java client's; test/integration/pipeline.test.ts checks the two
 * agree).
 */
export function kafkaPartition(key: Buffer, count: number): number {
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }))
  return choose({ topic: 'sink', partitionMetadata, message: { key, value: null } })
}
