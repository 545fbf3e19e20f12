import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PROJECT_DIR } from './kafka.js'

const run = promisify(execFile)

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the project's own Serverless CLI (osls) the way a user does, offline and outside Lambda. */
export async function serverless(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const { AWS_EXECUTION_ENV: _notInLambda, ...inherited } = process.env
  const workFolder = `.local/esbuild/${randomUUID()}`
  try {
    const { stdout, stderr } = await run('npx', ['--no-install', 'serverless', ...args], {
      cwd: PROJECT_DIR,
      // Each run builds in a folder of its own, so that runs side by side do not share esbuild's output.
      env: {
        ...inherited,
        ...extraEnv,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_ESBUILD_WORK_FOLDER: workFolder,
      },
      timeout: 120_000,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
  } finally {
    rmSync(join(PROJECT_DIR, workFolder), { recursive: true, force: true })
  }
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
  const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)
  const result = await serverless(['package', '--stage', stage, '--package', out, ...paramArgs])
  if (result.code !== 0) throw new Error(`serverless package failed:\n${result.stdout}\n${result.stderr}`)
  return JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template
}

/** What an existing cluster needs, with example values. */
export const EXISTING_CLUSTER = {
  cluster: 'existing',
  clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/stocks/0b5d7a2e-1c3f-4e6a-9d8b-2f4e6a8c0d1e-2',
  subnetIds: 'subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788',
  securityGroupIds: 'sg-0123456789abcdef0',
} as const
