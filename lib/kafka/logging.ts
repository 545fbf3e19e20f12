import { type LogEntry, logLevel } from 'kafkajs'
import { logger } from '../log.js'

/**
 * We bound the idempotent producer's retries on purpose, so that a dead broker fails the invocation
 * inside the Lambda timeout; kafkajs warns about it on every connect. Delivery is at-least-once either way.
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer']

/**
 * Routes kafkajs's own log lines into the project's JSON log, tagged with their kafkajs namespace.
 * kafkajs logs every retriable broker error at ERROR; the function's own error, thrown when retries are
 * exhausted, is the one that counts, so kafkajs lines are at most warnings.
 */
export function kafkajsLogCreator(): (entry: LogEntry) => void {
  return ({ namespace, level, log: { message, broker, clientId, error } }) => {
    if (EXPECTED_WARNINGS.some((warning) => message.startsWith(warning))) return
    const fields = { source: 'kafkajs', namespace, broker, clientId, error }
    if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(message, fields)
    else logger.debug(message, fields)
  }
}
