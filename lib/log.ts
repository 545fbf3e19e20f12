import { Logger } from '@aws-lambda-powertools/logger'
import { SERVICE_NAME } from './service.js'

/**
 * The project's structured JSON logger (Powertools Logger: one JSON object per line, with the Lambda
 * context once `injectLambdaContext` is used), created once per container. Callers pass coordinates and
 * counts, never payloads or credentials; an Error under any key is written by Powertools' own error
 * formatting (name, message, stack, cause). The level comes from POWERTOOLS_LOG_LEVEL or LOG_LEVEL.
 */
export const logger = new Logger({ serviceName: SERVICE_NAME })
