import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childOutput } from './child-output.js'
import { PROJECT_DIR } from './kafka.js'
import { serverless } from './serverless.js'

/**
 * One function's code exactly as deployed: `serverless package` of the stage, the function's zip unpacked
 * into a temp folder (the package itself removed at once). `remove` deletes the folder.
 */
export async function unpackedFunction(
  stage: string,
  fn: string,
  params: Record<string, string> = {},
): Promise<{ dir: string; remove: () => void }> {
  const packaged = mkdtempSync(join(tmpdir(), `sls-functions-${stage}-`))
  const dir = mkdtempSync(join(tmpdir(), `fn-${fn}-`))
  try {
    const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`)
    const result = await serverless(['package', '--stage', stage, '--package', packaged, ...paramArgs])
    if (result.code !== 0) throw new Error(`serverless package failed:\n${result.stdout}\n${result.stderr}`)
    execFileSync('python3', ['-m', 'zipfile', '-e', join(packaged, `${fn}.zip`), dir])
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  } finally {
    rmSync(packaged, { recursive: true, force: true })
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
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
