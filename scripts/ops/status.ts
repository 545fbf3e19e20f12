/**
 * What the pipeline holds and how far the processor is: `npm run status -- [--stage local] [--param k=v ...] [--json]`.
 *
 * Per partition of each topic: first and end offsets and the time of the last record; for the source
 * topic, the processor group's committed offsets and lag; the dead letters by reason and what the mapping
 * gave up on by condition (both read through).
 */
import '../local/quiet-logs.js'
import '../cli/exit.js'
import type { Kafka } from 'kafkajs'
import { DEAD_LETTER_HEADERS } from '../../lib/processor/dead-letter.js'
import { explainFailures, nameCommand } from '../cli/exit.js'
import { cannotReach, stageBrokerAdvice } from '../cli/failure.js'
import { logsNote } from '../local/quiet-logs.js'
import { parseStatusFlags } from './flags.js'
import { connectStage } from './stage-connection.js'
import { readToEnd } from './topic-reader.js'

nameCommand('npm run status')
const args = parseStatusFlags(process.argv.slice(2))
if (args.help) {
  process.stdout.write(`usage: ${args.usage}\n`)
  process.exit(0)
}
const { stage, processor, kafka } = await connectStage(args.stage, args.params, 'status')
explainFailures((error) =>
  cannotReach(error) ? stageBrokerAdvice(stage.cluster, processor.kafka.bootstrapServers) : undefined,
)

interface PartitionStatus {
  partition: number
  first: number
  end: number
  lastRecordAt: string | null
  committed?: number | null
  lag?: number
}

async function lastRecordTimes(
  client: Kafka,
  topic: string,
  ends: { partition: number; high: number; low: number }[],
) {
  const times = new Map<number, string>()
  const wanted = ends.filter((end) => end.high > end.low)
  if (wanted.length === 0) return times
  const consumer = client.consumer({
    groupId: `msk-lambda-stocks-status-${process.pid}-${Date.now()}`,
    maxWaitTimeInMs: 200,
  })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        const last = batch.messages[batch.messages.length - 1]
        if (last !== undefined && !times.has(batch.partition))
          times.set(batch.partition, new Date(Number(last.timestamp)).toISOString())
        if (times.size === wanted.length) resolve()
      },
    })
  })
  for (const end of wanted) consumer.seek({ topic, partition: end.partition, offset: String(end.high - 1) })
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))])
  await consumer.disconnect()
  return times
}

async function topicStatus(
  client: Kafka,
  topic: string,
  groupId?: string,
): Promise<PartitionStatus[] | null> {
  const admin = client.admin()
  await admin.connect()
  try {
    if (!(await admin.listTopics()).includes(topic)) return null
    const ends = (await admin.fetchTopicOffsets(topic)).map((o) => ({
      partition: o.partition,
      low: Number(o.low),
      high: Number(o.high),
    }))
    const [committed] = groupId === undefined ? [] : await admin.fetchOffsets({ groupId, topics: [topic] })
    const times = await lastRecordTimes(client, topic, ends)
    return ends
      .sort((a, b) => a.partition - b.partition)
      .map((end) => {
        const status: PartitionStatus = {
          partition: end.partition,
          first: end.low,
          end: end.high,
          lastRecordAt: times.get(end.partition) ?? null,
        }
        if (groupId === undefined) return status
        const offset = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1)
        return {
          ...status,
          committed: offset < 0 ? null : offset,
          lag: end.high - (offset < 0 ? end.low : offset),
        }
      })
  } finally {
    await admin.disconnect()
  }
}

async function countBy(
  topic: string,
  label: (value: Buffer | null, headers: Record<string, unknown>) => string,
) {
  const counts: Record<string, number> = {}
  await readToEnd({
    kafka,
    topic,
    onBatch: async (_partition, messages) => {
      for (const message of messages) {
        const key = label(message.value, message.headers ?? {})
        counts[key] = (counts[key] ?? 0) + 1
      }
      return undefined
    },
  })
  return counts
}

const gaveUpTopic = stage.mapping.gaveUpTopic
const report = {
  stage: args.stage,
  consumerGroupId: stage.mapping.consumerGroupId,
  topics: {
    source: {
      topic: stage.mapping.topic,
      partitions: await topicStatus(kafka, stage.mapping.topic, stage.mapping.consumerGroupId),
    },
    sink: { topic: processor.sinkTopic, partitions: await topicStatus(kafka, processor.sinkTopic) },
    deadLetters: {
      topic: processor.deadLetterTopic,
      partitions: await topicStatus(kafka, processor.deadLetterTopic),
    },
    ...(gaveUpTopic === undefined
      ? {}
      : { gaveUp: { topic: gaveUpTopic, partitions: await topicStatus(kafka, gaveUpTopic) } }),
  },
  deadLettersByReason: await countBy(processor.deadLetterTopic, (_value, headers) =>
    String(headers[DEAD_LETTER_HEADERS.reason] ?? 'unknown'),
  ),
  gaveUpByCondition:
    gaveUpTopic === undefined
      ? {}
      : await countBy(gaveUpTopic, (value) => {
          try {
            return String(JSON.parse(value?.toString() ?? '').requestContext?.condition ?? 'unknown')
          } catch {
            return 'unreadable'
          }
        }),
}

if (args.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
} else {
  const lines = [`stage ${args.stage}; processor group ${report.consumerGroupId}`, '']
  lines.push(
    `${'topic'.padEnd(24)} ${'part'.padStart(4)} ${'first'.padStart(9)} ${'end'.padStart(9)} ${'committed'.padStart(9)} ${'lag'.padStart(7)}  last record`,
  )
  for (const { topic, partitions } of Object.values(report.topics)) {
    if (partitions === null) {
      lines.push(`${topic.padEnd(24)} (no such topic)`)
      continue
    }
    for (const p of partitions) {
      lines.push(
        `${topic.padEnd(24)} ${String(p.partition).padStart(4)} ${String(p.first).padStart(9)} ${String(p.end).padStart(9)} ` +
          `${(p.committed === undefined ? '' : p.committed === null ? '-' : String(p.committed)).padStart(9)} ` +
          `${(p.lag === undefined ? '' : String(p.lag)).padStart(7)}  ${p.lastRecordAt ?? '-'}`,
      )
    }
  }
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none'
  lines.push('', `dead letters by reason: ${list(report.deadLettersByReason)}`)
  if (gaveUpTopic !== undefined) lines.push(`gave up on, by condition: ${list(report.gaveUpByCondition)}`)
  if (logsNote() !== '') lines.push(logsNote().slice(2))
  process.stdout.write(`${lines.join('\n')}\n`)
}
process.exit(0)
