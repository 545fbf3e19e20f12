/**
 * Sends dead letters back through the processor, once their cause is fixed:
 *   npm run redrive -- [--stage local] [--param k=v ...] [--reason R ...] [--since T] [--until T]
 *                      [--limit N] [--validation strict|flink] [--force] [--dry-run]
 *
 * Each selected record of the dead-letter topic goes through the processor again as the record it was
 * (original key, value and headers, byte for byte, at its original coordinates), with `dlq.redrives`
 * counting the redrives: dead-lettered again, it keeps that header and is not redriven without --force.
 * The position on the dead-letter topic is a consumer group per filter set, committed only after the sink
 * acknowledged: the same command run again does nothing more, and goes on where it was if it stopped.
 */
import '../local/quiet-logs.js'
import '../cli/exit.js'
import { createHash } from 'node:crypto'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import type { MskRecord } from '../../lib/msk/event.js'
import { originalOf, type RedriveDecision, redriveDecision } from '../../lib/ops/redrive.js'
import { explainFailures, nameCommand } from '../cli/exit.js'
import { cannotReach, stageBrokerAdvice } from '../cli/failure.js'
import { logsNote } from '../local/quiet-logs.js'
import { parseRedriveFlags } from './flags.js'
import { Progress } from './progress.js'
import { type ReprocessTally, reprocessAndCount, stageProcessor } from './reprocess.js'
import { connectStage } from './stage-connection.js'
import { fetchRecords, readToEnd } from './topic-reader.js'

nameCommand('npm run redrive')
const flags = parseRedriveFlags(process.argv.slice(2))
if (flags.help) {
  process.stdout.write(`usage: ${flags.usage}\n`)
  process.exit(0)
}
const limit = flags.limit
const filter = {
  reasons: flags.reasons,
  ...(flags.since === undefined ? {} : { since: flags.since }),
  ...(flags.until === undefined ? {} : { until: flags.until }),
  force: flags.force,
}
const { stage, processor, kafka } = await connectStage(flags.stage, flags.params, 'redrive')
explainFailures((error) =>
  cannotReach(error) ? stageBrokerAdvice(stage.cluster, processor.kafka.bootstrapServers) : undefined,
)
const validation = flags.validation ?? processor.validation
const signature = createHash('sha256').update(JSON.stringify(flags.signature)).digest('hex').slice(0, 12)
const groupId = flags.group ?? `${stage.mapping.consumerGroupId}-redrive-${signature}`

const sink = new KafkajsSink({ ...processor.kafka, clientId: 'redrive' })
const deps = stageProcessor(sink, processor, validation)

type Redrive = Extract<RedriveDecision, { redrive: true }>

/**
 * The redrives with each dead letter that was cut to fit its topic given its whole record, read back from
 * the source topic; one the topic no longer holds (its retention passed) is skipped and counted, as
 * `original-gone`.
 */
async function wholeRecords(chosen: readonly Redrive[]): Promise<Redrive[]> {
  const fetches = chosen.flatMap((decision) => (decision.fetch === undefined ? [] : [decision.fetch]))
  if (fetches.length === 0) return [...chosen]
  const fetched = new Map<string, MskRecord>()
  for (const topic of new Set(fetches.map((at) => at.topic))) {
    const ranges = fetches
      .filter((at) => at.topic === topic)
      .map((at) => ({ partition: at.partition, from: at.offset, to: at.offset + 1 }))
    for (const record of await fetchRecords(kafka, topic, ranges))
      fetched.set(`${record.topic}-${record.partition}@${record.offset}`, record)
  }
  return chosen.flatMap((decision) => {
    const at = decision.fetch
    if (at === undefined) return [decision]
    const source = fetched.get(`${at.topic}-${at.partition}@${at.offset}`)
    const original = source === undefined ? undefined : originalOf(decision.record, source, at)
    if (original !== undefined) return [{ ...decision, record: original }]
    skipped['original-gone'] = (skipped['original-gone'] ?? 0) + 1
    return []
  })
}

let deadLetters = 0
const redriven: ReprocessTally = { selected: 0, written: 0, deadLettered: 0 }
const skipped: Record<string, number> = {}
const selectedByReason: Record<string, number> = {}
const progress = new Progress(flags.dryRun ? 'counting' : 'redriving', Number.isFinite(limit) ? limit : 0)

try {
  await readToEnd({
    kafka,
    topic: processor.deadLetterTopic,
    groupId,
    commit: !flags.dryRun,
    onBatch: async (_partition, messages) => {
      const chosen: Redrive[] = []
      let taken = 0
      for (const message of messages) {
        if (redriven.selected + chosen.length >= limit) break
        taken++
        deadLetters++
        const decision = redriveDecision(
          {
            key: message.key,
            value: message.value,
            headers: Object.entries(message.headers ?? {}).flatMap(([key, value]) =>
              (Array.isArray(value) ? value : [value]).map((one) => ({ key, value: Buffer.from(one ?? '') })),
            ),
          },
          filter,
        )
        if (!decision.redrive) {
          skipped[decision.skipped] = (skipped[decision.skipped] ?? 0) + 1
          continue
        }
        chosen.push(decision)
      }
      // A dead letter cut to fit its topic goes back as the whole record, read from the source topic.
      const records: MskRecord[] = []
      for (const { record, reason } of await wholeRecords(chosen)) {
        selectedByReason[reason] = (selectedByReason[reason] ?? 0) + 1
        records.push(record)
      }
      await reprocessAndCount(records, deps, redriven, flags.dryRun)
      progress.add(records.length)
      return taken
    },
  })
} finally {
  progress.end()
  await sink.close()
}

const result = {
  stage: flags.stage,
  groupId,
  validation,
  dryRun: flags.dryRun,
  deadLetters,
  selected: redriven.selected,
  written: redriven.written,
  deadLetteredAgain: redriven.deadLettered,
  selectedByReason,
  skipped,
}
if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
else {
  process.stdout.write(
    `${flags.dryRun ? 'would redrive' : 'redrove'} ${redriven.selected} of ${deadLetters} dead letters read (validation ${validation})` +
      (flags.dryRun
        ? ''
        : `: ${redriven.written} written to ${processor.sinkTopic}, ${redriven.deadLettered} dead-lettered again`) +
      `\n  by reason: ${
        Object.entries(selectedByReason)
          .map(([r, n]) => `${r} ${n}`)
          .join(', ') || 'none'
      }` +
      `\n  skipped: ${
        Object.entries(skipped)
          .map(([r, n]) => `${r} ${n}`)
          .join(', ') || 'none'
      }` +
      `\n  position: consumer group ${groupId}${logsNote()}\n`,
  )
}
process.exit(0)
