import { execFileSync } from 'node:child_process'
import { realpathSync } from 'node:fs'

/** npm's own CLI, as the npm scripts were started with, else the npm on PATH. */
export function npmCli(): string {
  return (
    process.env.npm_execpath ??
    realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim())
  )
}
