/**
 * What the pipeline holds and how far the processor is: `npm run status -- [--stage local] [--param k=v ...] [--json]`.
 *
 * Per partition of each topic: first and end offsets and the time of the last record; for the source
 * topic, the processor group's committed offsets and lag; the dead letters by reason and what the mapping
 * gave up on by condition (both read through).
 */
import '../local/quiet-logs.js'
import '../cli/exit.js'
import { explainFailures, nameCommand } from '../cli/exit.js'
import { cannotReach, stageBrokerAdvice } from '../cli/failure.js'
import { logsNote } from '../local/quiet-logs.js'
import { parseStatusFlags } from './flags.js'
import {
  countRecords,
  deadLetterReason,
  gaveUpCondition,
  lastRecordTimes,
  type PartitionOffsets,
  pipelineTopics,
  readPipelineOffsets,
  type TopicRole,
  topicOf,
  topicRoles,
} from './pipeline-status.js'
import { connectStage } from './stage-connection.js'

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
const topics = pipelineTopics(stage, processor)

interface PartitionStatus {
  partition: number
  first: number
  end: number
  lastRecordAt: string | null
  committed?: number | null
  lag?: number
}

const admin = kafka.admin()
await admin.connect()
const offsets = await readPipelineOffsets(admin, topics).finally(() => admin.disconnect())

async function topicStatus(role: TopicRole) {
  const topic = topicOf(topics, role)
  const partitions: readonly PartitionOffsets[] | null = offsets[role] ?? null
  if (partitions === null) return { topic, partitions: null }
  const times = await lastRecordTimes(kafka, topic, partitions)
  return {
    topic,
    partitions: partitions.map(
      ({ partition, first, end, ...group }): PartitionStatus => ({
        partition,
        first,
        end,
        lastRecordAt: times.get(partition) ?? null,
        ...group,
      }),
    ),
  }
}

const gaveUpTopic = topics.gaveUp
const report = {
  stage: args.stage,
  consumerGroupId: topics.consumerGroupId,
  topics: Object.fromEntries(
    await Promise.all(topicRoles(topics).map(async (role) => [role, await topicStatus(role)] as const)),
  ),
  // A topic not there yet holds nothing to count.
  deadLettersByReason:
    offsets.deadLetters === null
      ? {}
      : await countRecords(kafka, topics.deadLetters, (_value, headers) => deadLetterReason(headers)),
  gaveUpByCondition:
    gaveUpTopic === undefined || offsets.gaveUp === null
      ? {}
      : await countRecords(kafka, gaveUpTopic, (value) => gaveUpCondition(value)),
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
