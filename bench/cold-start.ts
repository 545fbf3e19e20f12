import { execFileSync } from 'node:child_process'
import { mkdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { build, type Plugin } from 'esbuild'
import { localBrokers } from '../scripts/local/local-brokers.cjs'
import { type Measurement, summarise } from './stats.js'
import { daemonTracingEnv, startDiscardingDaemon } from './tracing-events.js'

const PROJECT_DIR = new URL('..', import.meta.url).pathname
const OUT = join(PROJECT_DIR, 'bench', '.out')
/** The plugins serverless.yml gives serverless-esbuild (`custom.esbuild.plugins`). */
const PLUGINS = createRequire(import.meta.url)('../scripts/build/esbuild-plugins.cjs') as Plugin[]
/** What a function needs to start: the local stage's settings. */
const ENV = {
  ...process.env,
  KAFKA_BOOTSTRAP_SERVERS: localBrokers().plaintext,
  KAFKA_AUTH: 'none',
  POWERTOOLS_METRICS_DISABLED: 'true',
}

export interface ColdStartResult {
  readonly fn: string
  readonly bundleBytes: number
  readonly bundledInitMs: Measurement
  /** Bundled, tracing on as in Lambda (spans over UDP to the daemon): the tracer provider made at init. */
  readonly tracedInitMs: Measurement
  readonly unbundledInitMs: Measurement
}

/** The bundle as serverless.yml builds it: minified ESM for Node 24, everything inside. */
export async function bundle(fn: string, external = false): Promise<string> {
  mkdirSync(OUT, { recursive: true })
  const outfile = join(OUT, external ? 'unbundled' : 'bundled', `${fn}.mjs`)
  await build({
    entryPoints: [join('functions', `${fn}.ts`)],
    absWorkingDir: PROJECT_DIR,
    bundle: true,
    minify: !external,
    keepNames: true,
    platform: 'node',
    mainFields: ['module', 'main'],
    target: 'node24',
    format: 'esm',
    outfile,
    // Unbundled: our code compiled, every package loaded from node_modules as without a bundler.
    ...(external ? { packages: 'external' as const } : {}),
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    plugins: PLUGINS,
    logLevel: 'error',
  })
  return outfile
}

/** A fresh Node process loading the module and running its init (config, clients), in milliseconds. */
function initMs(file: string, env: Record<string, string> = {}): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t)); process.exit(0)`
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...ENV, ...env },
      cwd: PROJECT_DIR,
      encoding: 'utf8',
    }),
  )
}

export async function benchColdStart(
  functions: readonly string[],
  rounds: number,
): Promise<ColdStartResult[]> {
  const results: ColdStartResult[] = []
  const daemon = await startDiscardingDaemon()
  const traced = daemonTracingEnv(daemon.port)
  for (const fn of functions) {
    const bundled = await bundle(fn, false)
    const unbundled = await bundle(fn, true)
    const sample = (file: string, env?: Record<string, string>) =>
      summarise(Array.from({ length: rounds }, () => initMs(file, env)))
    results.push({
      fn,
      bundleBytes: statSync(bundled).size,
      bundledInitMs: sample(bundled),
      tracedInitMs: sample(bundled, traced),
      unbundledInitMs: sample(unbundled),
    })
  }
  daemon.stop()
  return results
}
