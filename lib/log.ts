import { Logger } from '@aws-lambda-powertools/logger'
import { SERVICE_NAME } from './service.js'

/**
 * The project's structured JSON logger (Powertools Logger: one JSON object per line, with the Lambda
 * context once `injectLambdaContext` is used), created once per container. Callers pass coordinates and
 * counts, never payloads or credentials. The level comes from POWERTOOLS_LOG_LEVEL or LOG_LEVEL.
 */
export const logger = new Logger({ serviceName: SERVICE_NAME })

export type LogFields = Record<string, unknown>

/** What an error looks like in a log line: its name, message and causes, without payloads. */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { message: String(error) }
  return {
    name: error.name,
    message: error.message,
    ...(error.cause === undefined ? {} : { cause: describeError(error.cause) }),
  }
}
