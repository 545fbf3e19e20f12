import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childOutput } from './child-output.js'
import { PROJECT_DIR } from './kafka.js'
import { serverless } from './serverless.js'

/** `serverless package` of a stage, each function's zip unpacked: the code exactly as deployed. */
export async function packagedFunctions(stage: string, params: Record<string, string> = {}): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), `sls-functions-${stage}-`))
  const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)
  const result = await serverless(['package', '--stage', stage, '--package', out, ...paramArgs])
  if (result.code !== 0) throw new Error(`serverless package failed:\n${result.stdout}\n${result.stderr}`)
  return out
}

/** Unpacks one function's zip from a packaged folder; returns the folder holding its bundle. */
export function unpackFunction(packaged: string, fn: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fn-${fn}-`))
  execFileSync('python3', ['-m', 'zipfile', '-e', join(packaged, `${fn}.zip`), dir])
  return dir
}

export interface Invocation {
  readonly code: number
  readonly result: unknown
  readonly stderr: string
}

/** One cold invocation of a bundle's handler in a fresh Node process, with only the given environment. */
export async function invokeBundle(
  bundle: string,
  event: unknown,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Invocation> {
  const child = spawn(
    process.execPath,
    [join(PROJECT_DIR, 'test/support/run-handler.mjs'), bundle, 'handler', String(timeoutMs)],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  child.stdin.end(JSON.stringify(event))
  const { code, stdout, stderr } = await childOutput(child)
  const last = stdout.trim().split('\n').at(-1) ?? ''
  return { code, result: code === 0 ? JSON.parse(last) : undefined, stderr }
}
