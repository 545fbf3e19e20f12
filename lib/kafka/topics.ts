import type { Admin } from 'kafkajs'

export interface TopicSpec {
  readonly topic: string
  readonly numPartitions: number
  readonly replicationFactor: number
}

/** Creates the topics that do not exist yet; existing topics are left as they are. Returns the created. */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics())
  const missing = specs.filter((spec) => !existing.has(spec.topic))
  if (missing.length === 0) return []
  await admin.createTopics({ topics: missing.map((spec) => ({ ...spec })), waitForLeaders: true })
  return missing.map((spec) => spec.topic)
}
