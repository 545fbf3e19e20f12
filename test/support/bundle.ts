import { createRequire } from 'node:module'
import { join } from 'node:path'
import { build, type Plugin } from 'esbuild'

const require = createRequire(import.meta.url)
const PROJECT_DIR = new URL('../..', import.meta.url).pathname

/** The build plugins serverless.yml bundles the functions with. */
export const BUILD_PLUGINS = require('../../scripts/build/esbuild-plugins.cjs') as Plugin[]

/** The node_modules inputs of a function's bundle (under `prefix`), built as serverless.yml builds it. */
export async function bundledModules(fn: string, prefix = 'node_modules/'): Promise<string[]> {
  const result = await build({
    entryPoints: [join('functions', `${fn}.ts`)],
    absWorkingDir: PROJECT_DIR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: BUILD_PLUGINS,
  })
  return Object.keys(result.metafile.inputs).filter((input) => input.includes(prefix))
}
