import { type ICustomPartitioner, Partitioners } from 'kafkajs'

type Partitioner = ReturnType<ICustomPartitioner>

/** Enough for any realistic set of hot keys; past it the memory starts over rather than growing. */
const MAX_REMEMBERED_KEYS = 10_000

/**
 * kafkajs's default partitioner (murmur2 of the key bytes, as Java's client and so the Flink job's sink
 * place a keyed record), remembering the partition of each string key. kafkajs hashes every message
 * with 64-bit arithmetic in objects and filters the partition list for it, about a microsecond per
 * record, which the processor would pay once per sink record for a handful of tickers. A keyed record's
 * partition depends only on its key and the topic's partition count, so the memory is per topic (the sink
 * and dead-letter topics may differ in count) and is dropped when the count changes. Buffer keys, keyless
 * records and explicit partitions go to kafkajs's own partitioner unchanged.
 */
export function rememberingDefaultPartitioner(
  choose: Partitioner = Partitioners.DefaultPartitioner(),
): Partitioner {
  const topics = new Map<string, { readonly count: number; readonly partitionOf: Map<string, number> }>()
  return (args) => {
    const { key, partition } = args.message
    if (typeof key !== 'string' || (partition !== undefined && partition !== null)) return choose(args)
    const count = args.partitionMetadata.length
    let memory = topics.get(args.topic)
    if (memory === undefined || memory.count !== count) {
      memory = { count, partitionOf: new Map() }
      topics.set(args.topic, memory)
    }
    let chosen = memory.partitionOf.get(key)
    if (chosen === undefined) {
      chosen = choose(args)
      if (memory.partitionOf.size >= MAX_REMEMBERED_KEYS) memory.partitionOf.clear()
      memory.partitionOf.set(key, chosen)
    }
    return chosen
  }
}
