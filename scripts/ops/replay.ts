/**
 * Sends what the event source mapping gave up on back through the processor:
 *   npm run replay -- [--stage local] [--param k=v ...] [--since T] [--until T] [--partition N ...] [--dry-run]
 *
 * Reads the stage's gave-up topic (its Kafka on-failure destination), whose messages carry the failed
 * records themselves, and processes them with the stage's processor settings: each record reaches the sink
 * or the dead-letter topic. Its position on the gave-up topic is a consumer group of its own per filter
 * set, committed only after the sink acknowledged what it replayed: stopped halfway (or crashed), the same
 * command goes on where it was, repeating at most the batch under way.
 *
 * With `--queue-url URL` (an SQS on-failure destination; `--sqs-endpoint` for a local server) it reads the
 * queue's invocation records instead, fetches the offset ranges they name from the source topic, and
 * deletes each message once the sink acknowledged its records.
 */
// First: the processor's logs go to a file, the terminal shows progress and the summary; then any failure
// is one line on stderr.
import '../local/quiet-logs.js'
import '../cli/exit.js'
import { createHash } from 'node:crypto'
import { SQSClient } from '@aws-sdk/client-sqs'
import { asError } from '../../lib/errors.js'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import type { MskRecord } from '../../lib/msk/event.js'
import { gaveUpRecords } from '../../lib/ops/on-failure-record.js'
import { explainFailures, nameCommand } from '../cli/exit.js'
import { cannotReach, stageBrokerAdvice } from '../cli/failure.js'
import { UsageError } from '../cli/flags.js'
import { logsNote } from '../local/quiet-logs.js'
import { checkPartitions, parseReplayFlags } from './flags.js'
import { Progress } from './progress.js'
import { replayFromQueue } from './replay-queue.js'
import { reprocessAndCount, stageProcessor } from './reprocess.js'
import { connectStage } from './stage-connection.js'
import { readToEnd } from './topic-reader.js'

nameCommand('npm run replay')
const flags = parseReplayFlags(process.argv.slice(2))
if (flags.help) {
  process.stdout.write(`usage: ${flags.usage}\n`)
  process.exit(0)
}
const filter = {
  ...(flags.since === undefined ? {} : { since: flags.since }),
  ...(flags.until === undefined ? {} : { until: flags.until }),
  partitions: flags.partitions,
}
const { stage, processor, kafka } = await connectStage(flags.stage, flags.params, 'replay')
explainFailures((error) =>
  cannotReach(error) ? stageBrokerAdvice(stage.cluster, processor.kafka.bootstrapServers) : undefined,
)
if (flags.partitions.length > 0) {
  // --partition names partitions of the source topic (the records' own), which must exist.
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [stage.mapping.topic] })).topics
    checkPartitions(
      flags.partitions,
      stage.mapping.topic,
      (metadata?.partitions ?? []).map((p) => p.partitionId),
    )
  } finally {
    await admin.disconnect()
  }
}
const queueUrl = flags.queueUrl
if (queueUrl !== undefined) {
  const sink = new KafkajsSink({ ...processor.kafka, clientId: 'replay' })
  const progress = new Progress(flags.dryRun ? 'counting' : 'replaying', 0)
  const client = new SQSClient({
    region: processor.kafka.region ?? process.env.AWS_REGION ?? 'us-east-1',
    // The stage's environment may ask for dual-stack endpoints (the MSK API's); a local server has none.
    ...(flags.sqsEndpoint === undefined ? {} : { endpoint: flags.sqsEndpoint, useDualstackEndpoint: false }),
  })
  try {
    const totals = await replayFromQueue({
      client,
      queueUrl,
      kafka,
      filter,
      dryRun: flags.dryRun,
      deps: stageProcessor(sink, processor),
      onProgress: (records) => progress.add(records),
    })
    const result = { stage: flags.stage, queueUrl, dryRun: flags.dryRun, ...totals }
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `${flags.dryRun ? 'would replay' : 'replayed'} ${totals.selected} records named by ${totals.messages} messages of ${queueUrl}: ` +
            `${totals.written} written, ${totals.deadLettered} dead-lettered; ${totals.unreadable.length} unreadable${logsNote()}\n`,
    )
    process.exit(totals.unreadable.length > 0 ? 1 : 0)
  } finally {
    progress.end()
    await sink.close()
    client.destroy()
  }
}
const gaveUpTopic = stage.mapping.gaveUpTopic
if (gaveUpTopic === undefined) {
  throw new UsageError(
    `stage ${flags.stage} has no Kafka on-failure destination (onFailureDestination=${stage.mapping.onFailure?.kind ?? 'none'}): replay reads a gave-up topic, or a queue with --queue-url`,
  )
}
const signature = createHash('sha256').update(JSON.stringify(flags.signature)).digest('hex').slice(0, 12)
const groupId = flags.group ?? `${stage.mapping.consumerGroupId}-replay-${signature}`

const admin = kafka.admin()
await admin.connect()
const [committed] = await admin.fetchOffsets({ groupId, topics: [gaveUpTopic] })
const backlog = (await admin.fetchTopicOffsets(gaveUpTopic)).reduce((sum, end) => {
  const from = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1)
  return sum + Number(end.high) - (from < 0 ? Number(end.low) : from)
}, 0)
await admin.disconnect()

const sink = new KafkajsSink({ ...processor.kafka, clientId: 'replay' })
const progress = new Progress(flags.dryRun ? 'counting' : 'replaying', backlog)
const totals = { gaveUpMessages: 0, selected: 0, written: 0, deadLettered: 0, unreadable: 0 }
const byCondition: Record<string, number> = {}
const unreadable: string[] = []

try {
  await readToEnd({
    kafka,
    topic: gaveUpTopic,
    groupId,
    commit: !flags.dryRun,
    onBatch: async (partition, messages) => {
      const records: MskRecord[] = []
      for (const message of messages) {
        totals.gaveUpMessages++
        try {
          const selected = gaveUpRecords(message.value?.toString() ?? '', filter)
          byCondition[selected.condition] = (byCondition[selected.condition] ?? 0) + selected.records.length
          records.push(...selected.records)
        } catch (error) {
          totals.unreadable++
          unreadable.push(`${gaveUpTopic}-${partition}@${message.offset}: ${asError(error).message}`)
        }
      }
      await reprocessAndCount(records, stageProcessor(sink, processor), totals, flags.dryRun)
      progress.add(messages.length, `${totals.selected} records`)
      return undefined
    },
  })
} finally {
  progress.end()
  await sink.close()
}

const result = {
  stage: flags.stage,
  gaveUpTopic,
  groupId,
  dryRun: flags.dryRun,
  ...totals,
  byCondition,
  unreadableMessages: unreadable,
}
if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
else {
  process.stdout.write(
    `${flags.dryRun ? 'would replay' : 'replayed'} ${totals.selected} records from ${totals.gaveUpMessages} gave-up messages on ${gaveUpTopic}` +
      (flags.dryRun
        ? ''
        : `: ${totals.written} written to ${processor.sinkTopic}, ${totals.deadLettered} dead-lettered to ${processor.deadLetterTopic}`) +
      `\n  by condition: ${
        Object.entries(byCondition)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ') || 'none'
      }\n  position: consumer group ${groupId}${logsNote()}\n`,
  )
  for (const line of unreadable) process.stdout.write(`  unreadable (left as it is): ${line}\n`)
}
process.exit(unreadable.length > 0 ? 1 : 0)
