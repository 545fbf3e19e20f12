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
import { createHash } from 'node:crypto'
import { parseArgs } from 'node:util'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import type { MskRecord } from '../../lib/msk/event.js'
import { redriveDecision } from '../../lib/ops/redrive.js'
import { VALIDATION_MODES, type ValidationMode } from '../../lib/stocks/codec.js'
import { LOG_FILE } from '../local/quiet-logs.js'
import { Progress } from './progress.js'
import { type ReprocessTally, reprocessAndCount } from './reprocess.js'
import { connectStage, parseTime, STAGE_OPTIONS } from './stage-connection.js'
import { readToEnd } from './topic-reader.js'

const { values: args } = parseArgs({
  options: {
    ...STAGE_OPTIONS,
    reason: { type: 'string', multiple: true, default: [] },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    validation: { type: 'string' },
    force: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    group: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
})
const limit = args.limit === undefined ? Number.POSITIVE_INFINITY : Number(args.limit)
if (
  !(limit > 0) ||
  (args.validation !== undefined && !VALIDATION_MODES.includes(args.validation as ValidationMode))
) {
  process.stderr.write(
    `--limit must be a positive number; --validation one of ${VALIDATION_MODES.join(', ')}\n`,
  )
  process.exit(2)
}
const filter = {
  reasons: args.reason,
  ...(args.since === undefined ? {} : { since: parseTime(args.since, 'since') }),
  ...(args.until === undefined ? {} : { until: parseTime(args.until, 'until') }),
  force: args.force,
}
const { stage, processor, kafka } = await connectStage(args.stage, args.param, 'redrive')
const validation = (args.validation ?? processor.validation) as ValidationMode
const signature = createHash('sha256')
  .update(
    JSON.stringify([
      [...args.reason].sort(),
      args.since ?? '',
      args.until ?? '',
      args.limit ?? '',
      args.force,
    ]),
  )
  .digest('hex')
  .slice(0, 12)
const groupId = args.group ?? `${stage.mapping.consumerGroupId}-redrive-${signature}`

const sink = new KafkajsSink({ ...processor.kafka, clientId: 'redrive' })
let deadLetters = 0
const redriven: ReprocessTally = { selected: 0, written: 0, deadLettered: 0 }
const skipped: Record<string, number> = {}
const selectedByReason: Record<string, number> = {}
const progress = new Progress(args['dry-run'] ? 'counting' : 'redriving', Number.isFinite(limit) ? limit : 0)

try {
  await readToEnd({
    kafka,
    topic: processor.deadLetterTopic,
    groupId,
    commit: !args['dry-run'],
    onBatch: async (_partition, messages) => {
      const records: MskRecord[] = []
      let taken = 0
      for (const message of messages) {
        if (redriven.selected + records.length >= limit) break
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
        selectedByReason[decision.reason] = (selectedByReason[decision.reason] ?? 0) + 1
        records.push(decision.record)
      }
      await reprocessAndCount(
        records,
        { sink, sinkTopic: processor.sinkTopic, deadLetterTopic: processor.deadLetterTopic, validation },
        redriven,
        args['dry-run'],
      )
      progress.add(records.length)
      return taken
    },
  })
} finally {
  progress.end()
  await sink.close()
}

const result = {
  stage: args.stage,
  groupId,
  validation,
  dryRun: args['dry-run'],
  deadLetters,
  selected: redriven.selected,
  written: redriven.written,
  deadLetteredAgain: redriven.deadLettered,
  selectedByReason,
  skipped,
}
if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
else {
  process.stdout.write(
    `${args['dry-run'] ? 'would redrive' : 'redrove'} ${redriven.selected} of ${deadLetters} dead letters read (validation ${validation})` +
      (args['dry-run']
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
      `\n  position: consumer group ${groupId}; logs in ${LOG_FILE}\n`,
  )
}
process.exit(0)
