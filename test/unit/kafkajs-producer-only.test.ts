import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { describe, expect, it, onTestFinished } from 'vitest'
import { bundledModules } from '../support/bundle.js'

const require = createRequire(import.meta.url)
const PROJECT_DIR = new URL('../..', import.meta.url).pathname
const { kafkajsProducerOnly, PRODUCER_REQUESTS } =
  require('../../scripts/build/kafkajs-producer-only.cjs') as {
    kafkajsProducerOnly: (options: { entries: string[] }) => Plugin
    PRODUCER_REQUESTS: Set<string>
  }

describe('kafkajs, producer only, in the producer and processor bundles', () => {
  it.each(['producer', 'processor'])(
    'leaves the consumer, admin client and their requests out of the %s',
    async (fn) => {
      const modules = await bundledModules(fn, 'node_modules/kafkajs/')
      expect(modules.some((m) => m.includes('/src/producer/'))).toBe(true)
      expect(modules.some((m) => m.includes('/src/protocol/requests/produce/'))).toBe(true)
      expect(
        modules.filter((m) =>
          // kafkajs's own index still exports the small partition assigners; the consumer itself is gone.
          /\/src\/(consumer|admin)\/index\.js$|\/src\/consumer\/runner\.js$|\/requests\/(fetch|joinGroup|createTopics)\//.test(
            m,
          ),
        ),
      ).toEqual([])
    },
  )

  it('keeps them in the topics function, which creates topics with the admin client', async () => {
    const modules = await bundledModules('topics', 'node_modules/kafkajs/')
    expect(modules.some((m) => m.includes('/src/admin/'))).toBe(true)
    expect(modules.some((m) => m.includes('/requests/createTopics/'))).toBe(true)
  })

  it('keeps every request a producer sends, by their names in kafkajs 2.2.4', () => {
    for (const request of PRODUCER_REQUESTS) {
      expect(existsSync(join(PROJECT_DIR, 'node_modules/kafkajs/src/protocol/requests', request))).toBe(true)
    }
  })

  it('fails with a clear error, not silently, if a function ever reaches a part left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkajs-producer-only-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const entry = join(dir, 'entry.ts')
    writeFileSync(
      entry,
      `import kafkajs from ${JSON.stringify(require.resolve('kafkajs'))}
const kafka = new kafkajs.Kafka({ brokers: ['127.0.0.1:1'], logLevel: kafkajs.logLevel.NOTHING })
export const consumer = () => kafka.consumer({ groupId: 'g' })
export const admin = () => kafka.admin()
export const producer = () => kafka.producer()`,
    )
    const outfile = join(dir, 'entry.mjs')
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      plugins: [kafkajsProducerOnly({ entries: [entry] })],
    })
    const bundle = (await import(pathToFileURL(outfile).href)) as Record<string, () => unknown>
    expect(() => bundle.consumer?.()).toThrow(/kafkajs 'consumer' is not bundled into this function/)
    expect(() => bundle.admin?.()).toThrow(/kafkajs 'admin' is not bundled into this function/)
    expect(bundle.producer?.()).toHaveProperty('send')
  })
})
