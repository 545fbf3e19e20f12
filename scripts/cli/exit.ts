import { basename } from 'node:path'
import { exitCodeOf, failureLine } from './failure.js'

/**
 * How a command-line script ends when something fails, wherever it is thrown: one line on stderr (what
 * failed, in the words of the error and its causes, and what to do), no stack; exit 2 for a wrong command
 * line, 1 for anything else; and first, what the script started is undone (a broker it started is
 * stopped). Imported by each script for that side effect, after scripts/local/quiet-logs.ts.
 */

const undo: (() => unknown)[] = []
const explainers: ((error: unknown) => string | undefined)[] = []
let failing = false

/** Runs on failure, last registered first: stop what was started. Returns a function that unregisters it. */
export function undoOnFailure(cleanup: () => unknown): () => void {
  undo.push(cleanup)
  return () => {
    const at = undo.indexOf(cleanup)
    if (at >= 0) undo.splice(at, 1)
  }
}

/** Adds what to do about an error the script knows (which address it tried, which setting names it). */
export function explainFailures(explain: (error: unknown) => string | undefined): void {
  explainers.push(explain)
}

let command = basename(process.argv[1] ?? 'script').replace(/\.[cm]?[jt]s$/, '')

/** How the user typed the command (`npm start`, `npm run replay`), which each failure line starts with. */
export function nameCommand(name: string): void {
  command = name
}

async function fail(error: unknown): Promise<void> {
  if (failing) return
  failing = true
  const advice = explainers.map((explain) => explain(error)).find((text) => text !== undefined)
  process.stderr.write(`${failureLine(command, error, advice)}\n`)
  for (const cleanup of undo.reverse()) {
    try {
      await cleanup()
    } catch (cleanupError) {
      process.stderr.write(`${failureLine(`${command} (undoing)`, cleanupError)}\n`)
    }
  }
  process.exit(exitCodeOf(error))
}

process.on('uncaughtException', (error) => void fail(error))
process.on('unhandledRejection', (error) => void fail(error))
