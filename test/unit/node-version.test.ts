import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { npmCli } from '../support/npm.js'

const PROJECT_DIR = new URL('../..', import.meta.url).pathname
const read = (file: string) => readFileSync(join(PROJECT_DIR, file), 'utf8')
const pinned = read('.nvmrc').trim()
const major = pinned.replace(/^v/, '').split('.')[0]
const packageJson = JSON.parse(read('package.json')) as {
  engines: { node: string }
  devEngines: { runtime: { name: string; version: string; onFail: string } }
}

/** npm run by this Node, made to report an older version, as npm reads it (process.version). */
function npmOnOlderNode(version: string, args: string[]) {
  return spawnSync(
    process.execPath,
    [
      `--import=data:text/javascript,Object.defineProperty(process,"version",{value:"${version}"})`,
      npmCli(),
      ...args,
    ],
    { cwd: PROJECT_DIR, encoding: 'utf8', timeout: 60_000 },
  )
}

describe('Node.js: the major the functions run on, everywhere', () => {
  it('is pinned once in .nvmrc and agrees with the Lambda runtime, the bundles, engines and devEngines', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/)
    expect(read('serverless.yml')).toMatch(new RegExp(`^ {2}runtime: nodejs${major}\\.x$`, 'm'))
    expect(read('serverless.yml')).toMatch(new RegExp(`^ {4}target: node${major}$`, 'm'))
    expect(read('bench/cold-start.ts')).toContain(`target: 'node${major}'`)
    expect(packageJson.engines.node).toBe(`>=${major}`)
    expect(packageJson.devEngines.runtime).toEqual({ name: 'node', version: `>=${major}`, onFail: 'error' })
    expect(read('.npmrc')).toMatch(/^engine-strict=true$/m)
  })

  it('runs the tests on it, and every process they start by name on the same Node', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(Number(major))
    // serverless, npm and the scripts they run start `node` from PATH.
    const onPath = execFileSync('node', ['-p', 'process.version'], { encoding: 'utf8' }).trim()
    expect(onPath, `node on PATH is ${onPath}, the tests run on ${process.version}`).toBe(process.version)
  })

  it.each([
    ['an npm script', ['run', 'lint']],
    ['npm install', ['install', '--dry-run', '--no-audit', '--no-fund']],
  ])('refuses %s on an older Node, naming the versions wanted and found', (_, args) => {
    const result = npmOnOlderNode('v22.12.0', args)
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain('EBADDEVENGINES')
    expect(result.stderr).toContain(
      `Invalid semver version ">=${major}" does not match "v22.12.0" for "runtime"`,
    )
    // Refused before doing anything: the script never started.
    expect(result.stdout).not.toContain('biome check')
  })
})
