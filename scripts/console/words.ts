import type { PipelineTopics, TopicOffsets, TopicRole } from '../ops/pipeline-status.js'
import { topicOf, topicRoles } from '../ops/pipeline-status.js'

/** A sentence at the top of the page: what is wrong or under way, in words. */
export interface Notice {
  readonly level: 'error' | 'warning' | 'info'
  readonly text: string
}

export interface Situation {
  readonly brokers: string
  /** Whether the stage creates its topics locally (npm start) or through its stack. */
  readonly local: boolean
  readonly topics: PipelineTopics
  /** The last poll's failure, if it failed. */
  readonly failure?: { readonly message: string; readonly unreachable: boolean; readonly since: Date }
  /** When the numbers shown were read; undefined before the first read. */
  readonly readAt?: Date
  readonly offsets?: Partial<TopicOffsets>
  readonly group?: { readonly state: string; readonly members: number }
  readonly readerError?: string
  /** Topics whose records are still being counted from their start. */
  readonly counting?: readonly { readonly role: TopicRole; readonly read: number; readonly total: number }[]
}

/** The time of day, as the person beside the console reads their clock. */
export function clock(time: Date): string {
  return [time.getHours(), time.getMinutes(), time.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':')
}

function listed(names: readonly string[]): string {
  return names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

/** Kafka errors that mean the brokers did not answer at all, rather than refused what was asked. */
const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaUnavailableError',
  'BrokerDiscoveryError',
])

/** An error's message with those of its causes that add something, and whether it means "unreachable". */
export function explainFailure(error: unknown): { message: string; unreachable: boolean } {
  const messages: string[] = []
  let unreachable = false
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    const { name, message } = cause instanceof Error ? cause : { name: '', message: String(cause) }
    if (UNREACHABLE.has(name) || /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|ECONNRESET/.test(message))
      unreachable = true
    if (message !== '' && !messages.some((seen) => seen.includes(message))) messages.push(message)
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return { message: messages.join(': ') || 'unknown error', unreachable }
}

/** What the page says about the pipeline's state, most serious first. */
export function noticesFor(situation: Situation): Notice[] {
  const notices: Notice[] = []
  const { failure, readAt, offsets, topics, group } = situation
  const shown =
    readAt === undefined ? 'Nothing was read yet' : `The numbers below were read at ${clock(readAt)}`
  if (failure !== undefined) {
    notices.push({
      level: 'error',
      text: failure.unreachable
        ? `The Kafka brokers at ${situation.brokers} are unreachable since ${clock(failure.since)}: ${failure.message}. ${shown}; the page picks up again when the brokers answer.`
        : `Cannot read the pipeline from the Kafka cluster at ${situation.brokers} since ${clock(failure.since)}: ${failure.message}. ${shown}.`,
    })
  } else if (readAt === undefined) {
    notices.push({ level: 'info', text: `Reading the Kafka cluster at ${situation.brokers}…` })
  }
  if (offsets === undefined) return notices

  const missing = topicRoles(topics)
    .filter((role) => offsets[role] === null)
    .map((role) => topicOf(topics, role))
  if (missing.length > 0) {
    notices.push({
      level: 'warning',
      text:
        `${listed(missing)} ${missing.length === 1 ? 'does' : 'do'} not exist yet: ` +
        (situation.local
          ? 'npm start creates the topics (or npm run kafka:topics).'
          : "the stack's topics resource creates them when the stage is deployed."),
    })
  }
  const source = offsets.source
  if (source !== null && source !== undefined && source.length > 0) {
    const waiting = source.reduce((sum, p) => sum + (p.lag ?? 0), 0)
    const waits = waiting > 0 ? `; ${waiting} records wait on ${topics.source}` : ''
    const members = group?.members ?? 0
    if (source.every((p) => p.committed === null)) {
      notices.push({
        level: 'warning',
        text: `The processor group ${topics.consumerGroupId} has committed nothing on ${topics.source} yet${members === 0 ? ' and has no members' : ''}: no processor has taken a record${waits}.`,
      })
    } else if (members === 0 && waiting > 0) {
      notices.push({
        level: 'warning',
        text: `No processor is in the group ${topics.consumerGroupId} now (${group?.state ?? 'unknown'})${waits}.`,
      })
    }
  }
  if (situation.readerError !== undefined) {
    notices.push({
      level: 'warning',
      text: `Cannot read the records of the pipeline's topics: ${situation.readerError}; trying again.`,
    })
  }
  for (const { role, read, total } of situation.counting ?? []) {
    notices.push({
      level: 'info',
      text: `Counting ${topicOf(topics, role)} from its start: ${read} of ${total} records read.`,
    })
  }
  return notices
}
