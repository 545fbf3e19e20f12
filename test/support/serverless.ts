import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { runCommand } from './commands.js'
import { PROJECT_DIR } from './kafka.js'

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** How long the command took, to its exit. */
  readonly ms: number
}

const LOCK = join(PROJECT_DIR, '.local', 'serverless-cli.lock')
const STALE_LOCK_MS = 180_000

/**
 * The CLI writes `.serverless/` in the project folder whatever `--package` says, so runs from test files
 * side by side take turns. mkdir is atomic, which makes the folder a lock across processes.
 */
async function withCliLock<T>(run: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(LOCK), { recursive: true })
  for (;;) {
    try {
      mkdirSync(LOCK)
      break
    } catch {
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true })
      await sleep(100)
    }
  }
  try {
    return await run()
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
}

/** Runs the project's own Serverless CLI (osls) the way a user does, offline and outside Lambda. */
export function serverless(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return withCliLock(() => runServerless(args, extraEnv))
}

async function runServerless(args: string[], extraEnv: Record<string, string>): Promise<CliResult> {
  // Not in Lambda; a process group of its own, so that a timeout ends the CLI and all it started
  // (test/support/commands.ts).
  const result = await runCommand('npx', ['--no-install', 'serverless', ...args], {
    env: { AWS_EXECUTION_ENV: undefined, ...extraEnv },
    timeoutMs: 120_000,
  })
  return { code: result.code ?? 1, stdout: result.stdout, stderr: result.stderr, ms: result.ms }
}

export interface Template {
  Resources: Record<
    string,
    { Type: string; Condition?: string; DependsOn?: unknown; Properties: Record<string, unknown> }
  >
  Conditions: Record<string, unknown>
}

/** `serverless package` into a fresh folder; returns the update template, or throws with the CLI's output. */
export async function packageTemplate(stage: string, params: Record<string, string>): Promise<Template> {
  const out = mkdtempSync(join(tmpdir(), `sls-package-${stage}-`))
  try {
    const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)
    const result = await serverless(['package', '--stage', stage, '--package', out, ...paramArgs])
    if (result.code !== 0) throw new Error(`serverless package failed:\n${result.stdout}\n${result.stderr}`)
    return JSON.parse(
      readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

/** What an existing cluster needs, with example values. */
export const EXISTING_CLUSTER = {
  cluster: 'existing',
  clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/stocks/0b5d7a2e-1c3f-4e6a-9d8b-2f4e6a8c0d1e-2',
  subnetIds: 'subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788',
  securityGroupIds: 'sg-0123456789abcdef0',
} as const

/** `serverless invoke local --stage local -f FN -p EVENT -e NAME=value...` */
export function invokeLocal(
  fn: string,
  event: string,
  env: Record<string, string>,
  stage = 'local',
  processEnv: Record<string, string> = {},
  params: Record<string, string> = {},
) {
  const overrides = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`])
  const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)
  return serverless(
    ['invoke', 'local', '--stage', stage, ...paramArgs, '-f', fn, '-p', event, ...overrides],
    processEnv,
  )
}

/** `invoke local` prints the handler's result (or error) as indented JSON after any log lines. */
export function resultOf(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.slice(stdout.indexOf('{\n')))
}
