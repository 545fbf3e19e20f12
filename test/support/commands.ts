import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PROJECT_DIR } from './kafka.js'

export interface CommandResult {
  /** The exit code; null when a signal (or the timeout) ended it. */
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** From start to exit. */
  readonly ms: number
  readonly timedOut: boolean
  /** The files it left in its temp folder (name: content), read before the folder is removed. */
  readonly files: Readonly<Record<string, string>>
}

export interface CommandOptions {
  /** Added to the run's environment; undefined unsets a variable. */
  readonly env?: Record<string, string | undefined>
  readonly timeoutMs?: number
}

export interface RunningCommand {
  readonly pid: number
  /** Ends it and everything it started (its process group). */
  kill(signal?: NodeJS.Signals): void
  readonly done: Promise<CommandResult>
}

/**
 * A project command as a user runs it (`npm start`, `npm run replay`, `npx serverless ...`), from the
 * project folder, with the run's environment plus `env`, in a process group of its own, so that a
 * timeout ends all it started. It gets a temp folder of its own (its log files go there) that is removed
 * once it exited, whatever it left. The test console's settings are not passed on: it logs as a user's
 * would.
 */
export function spawnCommand(
  command: string,
  args: readonly string[],
  { env = {}, timeoutMs = 120_000 }: CommandOptions = {},
): RunningCommand {
  const { POWERTOOLS_DEV: _console, POWERTOOLS_METRICS_DISABLED: _metrics, ...inherited } = process.env
  const temp = mkdtempSync(join(tmpdir(), 'command-'))
  const environment: NodeJS.ProcessEnv = { ...inherited, SLS_TELEMETRY_DISABLED: '1', TMPDIR: temp }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete environment[name]
    else environment[name] = value
  }
  const started = Date.now()
  const child = spawn(command, [...args], {
    cwd: PROJECT_DIR,
    env: environment,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    try {
      process.kill(-(child.pid as number), signal)
    } catch {
      // Already gone.
    }
  }
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    kill()
  }, timeoutMs)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const done = new Promise<CommandResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const files = Object.fromEntries(
        readdirSync(temp)
          .filter((name) => statSync(join(temp, name)).isFile())
          .map((name) => [name, readFileSync(join(temp, name), 'utf8')]),
      )
      rmSync(temp, { recursive: true, force: true })
      resolve({ code, stdout, stderr, ms: Date.now() - started, timedOut, files })
    })
  })
  return { pid: child.pid as number, kill, done }
}

/** spawnCommand, waited for. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  return spawnCommand(command, args, options).done
}
