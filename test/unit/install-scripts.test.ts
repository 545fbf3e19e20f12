import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { npmCli } from '../support/npm.js'

const PROJECT_DIR = new URL('../..', import.meta.url).pathname
const { allowScripts } = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as {
  allowScripts: Record<string, boolean>
}

describe("npm's install-script approvals (package.json allowScripts)", () => {
  it('cover every installed package with an install script, so npm install warns of none', () => {
    const pending = JSON.parse(
      execFileSync(process.execPath, [npmCli(), 'install-scripts', 'ls', '--json'], {
        cwd: PROJECT_DIR,
        encoding: 'utf8',
      }),
    ) as { allowScripts: unknown[] }
    expect(pending.allowScripts).toEqual([])
  })

  it("run esbuild's postinstall, which checks and links its platform binary, and no other", () => {
    expect(Object.entries(allowScripts).filter(([, allowed]) => allowed)).toEqual([['esbuild', true]])
  })
})
