import { localBrokers } from '../local/local-brokers.cjs'
import { UsageError } from './flags.js'

/** How a failed command reads: pure, so scripts/cli/exit.ts stays the only module with side effects. */

/**
 * The error and its causes as one line, each message once (kafkajs repeats its cause's message in its
 * retry errors), followed by what to do when `advice` has something.
 */
export function failureLine(command: string, error: unknown, advice?: string): string {
  const messages: string[] = []
  for (let e: unknown = error; e !== undefined && e !== null; e = e instanceof Error ? e.cause : undefined) {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]?.trim().replace(/\.$/, '')
    if (message !== undefined && message !== '' && !messages.some((seen) => seen.includes(message))) {
      messages.push(message)
    }
    if (!(e instanceof Error)) break
  }
  const line = `${command}: ${messages.join(': ') || 'failed'}`
  return advice === undefined ? line : `${line}. ${advice}`
}

/** The exit code of a failure: 2 when the command line was wrong. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? 2 : 1
}

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|Connection timeout|Cannot connect to Kafka/

/** No broker answered (refused, unknown host, timed out), as opposed to one that answered with an error. */
export function cannotReach(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === 'KafkaJSConnectionError' || UNREACHABLE.test(e.message)) return true
  }
  return false
}

const DEPLOYED_ADVICE =
  "run this from a machine that reaches the cluster's brokers (its VPC), with AWS credentials allowed to connect"

/**
 * What to do when a stage's brokers did not answer: for a local stage, the advice below for the address
 * the stage uses; for a deployed one, the network path and the credentials.
 */
export function stageBrokerAdvice(cluster: string, brokers: readonly string[], env = process.env): string {
  const address = brokers.join(',')
  if (cluster !== 'local') return brokerAdvice(address, 'MSK_CLUSTER_ARN', env)
  const local = localBrokers(env)
  if (address === local.plaintext) return brokerAdvice(address, local.plaintextFrom, env)
  if (address === local.iam) return brokerAdvice(address, local.iamFrom, env)
  return brokerAdvice(address, '--param bootstrapServers', env)
}

/**
 * What to do when no broker answered at `address`, by where the address came from: the port of the broker
 * scripts/kafka/kafka.sh runs (scripts/local/local-brokers.cjs), a setting naming another broker, or a
 * cluster ARN the brokers were looked up from.
 */
export function brokerAdvice(address: string, from: string, env = process.env): string {
  if (from === 'KAFKA_PORT' || from === 'KAFKA_IAM_PORT') {
    const ports = ['KAFKA_PORT', 'KAFKA_CONTROLLER_PORT', 'KAFKA_IAM_PORT']
      .filter((name) => env[name] !== undefined)
      .map((name) => `${name}=${env[name]} `)
      .join('')
    return `No broker answers at ${address} (${from}): start the local one with \`${ports}npm run kafka:start\`, or set ${from} to the port of yours`
  }
  if (from === 'MSK_CLUSTER_ARN') {
    return `No broker answers${address === '' ? '' : ` at ${address}`}: ${DEPLOYED_ADVICE}`
  }
  if (from === '--param bootstrapServers') {
    return `No broker answers at ${address} (--param bootstrapServers): start that broker, or give the address of one`
  }
  return `No broker answers at ${address}, which ${from} names: start that broker, or unset ${from} to use the local one on KAFKA_PORT`
}
