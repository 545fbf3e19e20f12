import { appendFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { format } from 'node:util'

/**
 * For the commands that show a live table (npm start, npm run consume): the functions' and Kafka clients'
 * JSON logs go to a file, so the terminal shows the table alone. Imported first, before anything makes a
 * logger: Powertools then writes through console, which this sends to the file, one JSON line each.
 */
export const LOG_FILE = join(
  tmpdir(),
  `msk-lambda-stocks-${basename(process.argv[1] ?? 'script', '.ts')}-${new Date().toISOString().replaceAll(':', '')}.log`,
)

writeFileSync(LOG_FILE, '')
process.env.POWERTOOLS_DEV = 'true'

function logLine(args: unknown[]): string {
  const [first] = args
  if (args.length === 1 && typeof first === 'string' && first.startsWith('{')) {
    try {
      return JSON.stringify(JSON.parse(first))
    } catch {
      // Not JSON after all: written as it is.
    }
  }
  return format(...args)
}

for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  console[method] = (...args: unknown[]) => appendFileSync(LOG_FILE, `${logLine(args)}\n`)
}

/** A table line, on stdout. */
export function showRow(line: string): void {
  process.stdout.write(`${line}\n`)
}

/** A notice for the person watching (a failure, how to stop), on stderr, apart from the table. */
export function notice(line: string): void {
  process.stderr.write(`${line}\n`)
}
