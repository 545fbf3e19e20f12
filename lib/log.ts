/**
 * Structured JSON log lines on stdout/stderr, one object per line, so CloudWatch Logs Insights can query
 * the fields. Callers pass coordinates and counts, never payloads or credentials.
 */
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'
export type LogFields = Record<string, unknown>

function write(level: Level, message: string, fields?: LogFields): void {
  const line = JSON.stringify({ level, message, ...fields })
  if (level === 'ERROR' || level === 'WARN') console.error(line)
  else console.log(line)
}

/** What an error looks like in a log line: its name, message and causes, never its stack of payloads. */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { message: String(error) }
  return {
    name: error.name,
    message: error.message,
    ...(error.cause === undefined ? {} : { cause: describeError(error.cause) }),
  }
}

export const log = {
  debug: (message: string, fields?: LogFields) => {
    if (process.env.LOG_LEVEL === 'DEBUG') write('DEBUG', message, fields)
  },
  info: (message: string, fields?: LogFields) => write('INFO', message, fields),
  warn: (message: string, fields?: LogFields) => write('WARN', message, fields),
  error: (message: string, fields?: LogFields) => write('ERROR', message, fields),
}
