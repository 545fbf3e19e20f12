import { VALIDATION_MODES, type ValidationMode } from '../../lib/stocks/format.js'
import { REJECTION_REASONS, type RejectionReason } from '../../lib/stocks/reasons.js'
import {
  choice,
  nonEmpty,
  params,
  parseFlags,
  seconds,
  timeWindow,
  UsageError,
  url,
  wholeNumber,
} from '../cli/flags.js'
import { TABLE_KINDS, type TableKind } from '../local/table.js'

/**
 * The operator commands' flags, each checked before anything connects: a parse function per command,
 * returning what the command needs or throwing a UsageError that names the flag (scripts/cli/flags.ts).
 * What only the cluster can say (does partition 9 exist?) is checked once connected, by the functions at
 * the end.
 */

export interface Help {
  readonly help: true
  readonly usage: string
}

interface StageFlags {
  readonly help: false
  readonly stage: string
  readonly params: readonly string[]
  readonly json: boolean
}

/** The options every operator command takes: the stage, and params as `serverless deploy` takes them. */
const STAGE_OPTIONS = {
  stage: { type: 'string', default: 'local' },
  param: { type: 'string', multiple: true, default: [] as string[] },
} as const
const STAGE_USAGE = '[--stage local] [--param name=value ...]'

export const USAGE = {
  status: `npm run status -- ${STAGE_USAGE} [--json]`,
  replay: `npm run replay -- ${STAGE_USAGE} [--since T] [--until T] [--partition N ...] [--group G] [--queue-url URL [--sqs-endpoint URL]] [--dry-run] [--json]`,
  redrive: `npm run redrive -- ${STAGE_USAGE} [--reason R ...] [--since T] [--until T] [--limit N] [--validation ${VALIDATION_MODES.join('|')}] [--group G] [--force] [--dry-run] [--json]`,
  consume: `npm run consume -- [--topic ${TABLE_KINDS.join('|')}] [--from-beginning]`,
  console: `npm run console -- ${STAGE_USAGE} [--port N] [--interval SECONDS]`,
} as const

const JSON_OPTION = { json: { type: 'boolean', default: false } } as const

function stageFlags(values: { stage: string; param: string[]; json: boolean }): StageFlags {
  return {
    help: false,
    stage: nonEmpty('stage', values.stage),
    params: params(values.param),
    json: values.json,
  }
}

export type StatusFlags = StageFlags

export function parseStatusFlags(args: readonly string[]): StatusFlags | Help {
  const { values, help } = parseFlags(args, { ...STAGE_OPTIONS, ...JSON_OPTION })
  if (help) return { help, usage: USAGE.status }
  return stageFlags(values)
}

export interface ReplayFlags extends StageFlags {
  readonly since: Date | undefined
  readonly until: Date | undefined
  /** Source partitions; all when empty. */
  readonly partitions: readonly number[]
  readonly group: string | undefined
  readonly queueUrl: string | undefined
  readonly sqsEndpoint: string | undefined
  readonly dryRun: boolean
  /** The filter as given, which names the replay's position (its consumer group). */
  readonly signature: readonly unknown[]
}

export function parseReplayFlags(args: readonly string[], now = new Date()): ReplayFlags | Help {
  const { values, help } = parseFlags(args, {
    ...STAGE_OPTIONS,
    ...JSON_OPTION,
    since: { type: 'string' },
    until: { type: 'string' },
    partition: { type: 'string', multiple: true, default: [] },
    'dry-run': { type: 'boolean', default: false },
    group: { type: 'string' },
    'queue-url': { type: 'string' },
    'sqs-endpoint': { type: 'string' },
  })
  if (help) return { help, usage: USAGE.replay }
  const window = timeWindow(values.since, values.until, now)
  const partitions = values.partition.map((text) => wholeNumber('partition', text, 0))
  if (values['sqs-endpoint'] !== undefined && values['queue-url'] === undefined) {
    throw new UsageError(
      '--sqs-endpoint is the endpoint of the queue --queue-url names: give --queue-url too',
    )
  }
  if (values['queue-url'] !== undefined && values.group !== undefined) {
    throw new UsageError(
      '--group is the position on a gave-up topic; a --queue-url replay deletes what it replayed',
    )
  }
  return {
    ...stageFlags(values),
    since: window.since,
    until: window.until,
    partitions: [...new Set(partitions)],
    group: values.group === undefined ? undefined : nonEmpty('group', values.group),
    queueUrl: values['queue-url'] === undefined ? undefined : url('queue-url', values['queue-url']),
    sqsEndpoint:
      values['sqs-endpoint'] === undefined ? undefined : url('sqs-endpoint', values['sqs-endpoint']),
    dryRun: values['dry-run'],
    signature: [values.since ?? '', values.until ?? '', partitions.map(String).sort()],
  }
}

export interface RedriveFlags extends StageFlags {
  readonly reasons: readonly RejectionReason[]
  readonly since: Date | undefined
  readonly until: Date | undefined
  readonly limit: number
  readonly validation: ValidationMode | undefined
  readonly group: string | undefined
  readonly force: boolean
  readonly dryRun: boolean
  readonly signature: readonly unknown[]
}

export function parseRedriveFlags(args: readonly string[], now = new Date()): RedriveFlags | Help {
  const { values, help } = parseFlags(args, {
    ...STAGE_OPTIONS,
    ...JSON_OPTION,
    reason: { type: 'string', multiple: true, default: [] },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    validation: { type: 'string' },
    force: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    group: { type: 'string' },
  })
  if (help) return { help, usage: USAGE.redrive }
  const window = timeWindow(values.since, values.until, now)
  return {
    ...stageFlags(values),
    // The reasons the processor writes in `dlq.reason` (lib/stocks/reasons.ts).
    reasons: [...new Set(values.reason.map((reason) => choice('reason', reason, REJECTION_REASONS)))],
    since: window.since,
    until: window.until,
    limit: values.limit === undefined ? Number.POSITIVE_INFINITY : wholeNumber('limit', values.limit, 1),
    validation:
      values.validation === undefined ? undefined : choice('validation', values.validation, VALIDATION_MODES),
    group: values.group === undefined ? undefined : nonEmpty('group', values.group),
    force: values.force,
    dryRun: values['dry-run'],
    signature: [
      [...values.reason].sort(),
      values.since ?? '',
      values.until ?? '',
      values.limit ?? '',
      values.force,
    ],
  }
}

export interface ConsumeFlags {
  readonly help: false
  readonly kind: TableKind
  readonly fromBeginning: boolean
}

export function parseConsumeFlags(args: readonly string[]): ConsumeFlags | Help {
  const { values, help } = parseFlags(args, {
    'from-beginning': { type: 'boolean', default: false },
    topic: { type: 'string', default: 'sink' },
  })
  if (help) return { help, usage: USAGE.consume }
  return {
    help: false,
    kind: choice('topic', values.topic, TABLE_KINDS),
    fromBeginning: values['from-beginning'],
  }
}

export interface ConsoleFlags {
  readonly help: false
  readonly stage: string
  readonly params: readonly string[]
  /** Undefined: CONSOLE_PORT, else any free port. */
  readonly port: number | undefined
  readonly intervalMs: number
}

export function parseConsoleFlags(args: readonly string[]): ConsoleFlags | Help {
  const { values, help } = parseFlags(args, {
    ...STAGE_OPTIONS,
    port: { type: 'string' },
    interval: { type: 'string', default: '1' },
  })
  if (help) return { help, usage: USAGE.console }
  return {
    help: false,
    stage: nonEmpty('stage', values.stage),
    params: params(values.param),
    port: values.port === undefined ? undefined : wholeNumber('port', values.port, 0, 65_535),
    intervalMs: seconds('interval', values.interval, 0.2, 60) * 1000,
  }
}

/**
 * `--partition` against the topic's partitions, once the cluster said how many it has: a partition that
 * does not exist would select nothing, silently.
 */
export function checkPartitions(
  requested: readonly number[],
  topic: string,
  partitions: readonly number[],
): void {
  const missing = requested.filter((partition) => !partitions.includes(partition))
  if (missing.length === 0) return
  const has =
    partitions.length === 0
      ? 'no partitions'
      : `partitions ${[...partitions].sort((a, b) => a - b).join(', ')}`
  throw new UsageError(`--partition ${missing.join(', ')}: ${topic} has ${has}`)
}
