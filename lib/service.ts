/** The service name Powertools' Logger and Metrics, and the tracing, report under: POWERTOOLS_SERVICE_NAME. */
export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'msk-lambda-stocks'
