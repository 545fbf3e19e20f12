/**
 * The service name Powertools' Logger and Metrics, and the tracing, report under: POWERTOOLS_SERVICE_NAME,
 * unless it is blank.
 */
export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME?.trim() || 'msk-lambda-stocks'
