import { appendFileSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { format } from 'node:util'

/**
 * For the commands that show a live table (npm start, npm run consume) or a summary (replay, redrive,
 * status): the functions' and Kafka clients' JSON logs go to a file, so the terminal shows the table or
 * summary alone. Imported first, before anything makes a logger: Powertools then writes through console,
 * which this sends to the file, one JSON line each. The file is made by the first line (or by
 * `keepLogFile`), so a command that logged nothing leaves nothing in the temp folder.
 */
export const LOG_FILE = join(
  tmpdir(),
  `msk-lambda-stocks-${basename(process.argv[1] ?? 'script', '.ts')}-${new Date().toISOString().replaceAll(':', '')}.log`,
)

process.env.POWERTOOLS_DEV = 'true'

/** Makes the file now, for a command that names it before anything is logged. */
export function keepLogFile(): void {
  if (!existsSync(LOG_FILE)) writeFileSync(LOG_FILE, '')
}

/** `; logs in FILE` when something was logged, for a command's summary; empty otherwise. */
export function logsNote(): string {
  return existsSync(LOG_FILE) ? `; logs in ${LOG_FILE}` : ''
}

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
// OpenTelemetry's console exporter (`npm start -- --trace`) prints each span with console.dir: one JSON
// line too, so a trace id finds its spans with grep.
console.dir = (item: unknown) => appendFileSync(LOG_FILE, `${JSON.stringify(item)}\n`)

/** A table line, on stdout. */
export function showRow(line: string): void {
  process.stdout.write(`${line}\n`)
}

/** A notice for the person watching (a failure, how to stop), on stderr, apart from the table. */
export function notice(line: string): void {
  process.stderr.write(`${line}\n`)
}
