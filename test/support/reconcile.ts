import type { Kafka } from 'kafkajs'
import { readTopic } from './kafka.js'

/** The pipeline's topics, as a fault test checks them. */
export interface PipelineTopics {
  readonly source: string
  readonly sink: string
  readonly deadLetters: string
  readonly gaveUp?: string
}

/**
 * Where every source record went: the sink, the dead-letter topic or the gave-up topic, each counted by
 * its source coordinates (`partition@offset`); what none of them holds is lost, and what they hold more
 * than once are the duplicates of a retried batch.
 */
export interface Reconciliation {
  readonly in: number
  readonly sink: number
  readonly deadLetters: number
  readonly gaveUp: number
  /** Source coordinates found nowhere. */
  readonly lost: readonly string[]
  /** Records written again for a source record already written (a retried batch). */
  readonly duplicates: number
  /** Duplicates per source partition. */
  readonly duplicatesByPartition: Readonly<Record<string, number>>
}

async function endOffsets(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0)
  } finally {
    await admin.disconnect()
  }
}

async function readAll(kafka: Kafka, topic: string) {
  return readTopic(kafka, topic, await endOffsets(kafka, topic), 60_000)
}

/** The source coordinates of a gave-up record (Lambda's Kafka on-failure envelope: one record each). */
function gaveUpCoordinates(value: string | undefined): string[] {
  const envelope = JSON.parse(value ?? '{}') as {
    payload?: { records?: Record<string, { partition: number; offset: number }[]> }
  }
  return Object.values(envelope.payload?.records ?? {})
    .flat()
    .map((record) => `${record.partition}@${record.offset}`)
}

export async function reconcile(kafka: Kafka, topics: PipelineTopics): Promise<Reconciliation> {
  const input = (await readAll(kafka, topics.source)).map((r) => `${r.partition}@${r.offset}`)
  const sink = (await readAll(kafka, topics.sink)).map(
    (r) => `${r.headers['source.partition']}@${r.headers['source.offset']}`,
  )
  const deadLetters = (await readAll(kafka, topics.deadLetters)).map(
    (r) => `${r.headers['dlq.source.partition']}@${r.headers['dlq.source.offset']}`,
  )
  const gaveUp =
    topics.gaveUp === undefined
      ? []
      : (await readAll(kafka, topics.gaveUp)).flatMap((r) => gaveUpCoordinates(r.value))
  const seen = new Map<string, number>()
  for (const at of [...sink, ...deadLetters, ...gaveUp]) seen.set(at, (seen.get(at) ?? 0) + 1)
  const duplicatesByPartition: Record<string, number> = {}
  for (const [at, count] of seen) {
    if (count < 2) continue
    const partition = at.split('@')[0] ?? '?'
    duplicatesByPartition[partition] = (duplicatesByPartition[partition] ?? 0) + count - 1
  }
  return {
    in: input.length,
    sink: sink.length,
    deadLetters: deadLetters.length,
    gaveUp: gaveUp.length,
    lost: input.filter((at) => !seen.has(at)),
    duplicates: Object.values(duplicatesByPartition).reduce((sum, n) => sum + n, 0),
    duplicatesByPartition,
  }
}

/** Reconciles until nothing is lost (the pipeline caught up) or the time runs out; the last reconciliation. */
export async function reconcileWhenCaughtUp(
  kafka: Kafka,
  topics: PipelineTopics,
  timeoutMs = 90_000,
): Promise<Reconciliation> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await reconcile(kafka, topics)
    if (result.lost.length === 0 || Date.now() > deadline) return result
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
}
