import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js'
import { build, type Plugin } from 'esbuild'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { bundledModules } from '../support/bundle.js'

const require = createRequire(import.meta.url)
const PROJECT_DIR = new URL('../..', import.meta.url).pathname
const { mskSignerTokenOnly, LEFT_OUT, REPLACED } =
  require('../../scripts/build/msk-signer-token-only.cjs') as {
    mskSignerTokenOnly: () => Plugin
    LEFT_OUT: Record<string, string[]>
    REPLACED: Record<string, string[]>
  }
const SIGNER_DIST = join(PROJECT_DIR, 'node_modules/aws-msk-iam-sasl-signer-js/dist')

const dir = mkdtempSync(join(tmpdir(), 'msk-signer-token-only-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => {
  vi.useRealTimers()
})

describe('aws-msk-iam-sasl-signer-js, token signing only, in every function bundle', () => {
  it.each(['producer', 'processor', 'topics'])(
    'bundles the signer without its STS client, credential chain and JavaScript SHA-256 in the %s',
    async (fn) => {
      const modules = await bundledModules(fn)
      expect(modules).toContain('node_modules/aws-msk-iam-sasl-signer-js/dist/getMSKAuthToken.js')
      expect(
        modules.filter((m) =>
          /node_modules\/@aws-sdk\/(client-sts|credential-providers)\/|mskCredentialProvider/.test(m),
        ),
      ).toEqual([])
      // The producer and processor call no AWS API: no SDK client, no credential chain at all. (The topics
      // function's MSK client brings the SDK's own chain, which it uses.)
      if (fn !== 'topics') {
        expect(
          modules.filter((m) =>
            /node_modules\/@aws-sdk\/(nested-clients|credential-provider-node)\//.test(m),
          ),
        ).toEqual([])
      }
    },
  )

  it('stubs or replaces what the signer requires under those names, used only as the plugin says', () => {
    const source = readFileSync(join(SIGNER_DIST, 'getMSKAuthToken.js'), 'utf8')
    const credentialHelpers = readFileSync(join(SIGNER_DIST, 'mskCredentialProvider.js'), 'utf8')
    const used = (binding: string) =>
      [...new Set([...source.matchAll(new RegExp(`${binding}\\.(\\w+)`, 'g'))].map((m) => m[1]))].sort()
    expect(source).toContain('require("@aws-sdk/client-sts")')
    expect(source).toContain('require("./mskCredentialProvider")')
    expect(source).toContain('require("@aws-crypto/sha256-js")')
    expect(used('sha256_js_1')).toEqual(REPLACED['@aws-crypto/sha256-js'])
    expect(used('client_sts_1')).toEqual([...(LEFT_OUT['@aws-sdk/client-sts'] ?? [])].sort())
    expect(used('mskCredentialProvider_1')).toEqual([...(LEFT_OUT['./mskCredentialProvider'] ?? [])].sort())
    for (const name of LEFT_OUT['./mskCredentialProvider'] ?? []) {
      expect(credentialHelpers).toContain(`exports.${name} = ${name}`)
    }
  })

  it('signs the same token bundled, and fails with a clear error if a part left out is ever reached', async () => {
    const entry = join(dir, 'entry.ts')
    writeFileSync(
      entry,
      `export { generateAuthToken, generateAuthTokenFromCredentialsProvider, generateAuthTokenFromProfile, generateAuthTokenFromRole } from ${JSON.stringify(require.resolve('aws-msk-iam-sasl-signer-js'))}`,
    )
    const outfile = join(dir, 'entry.mjs')
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      plugins: [mskSignerTokenOnly()],
    })
    const bundled = (await import(pathToFileURL(outfile).href)) as typeof import('aws-msk-iam-sasl-signer-js')
    const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' })
    const options = { region: 'eu-west-1', awsCredentialsProvider: credentials }

    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-24T10:11:12.345Z'))
    expect((await bundled.generateAuthTokenFromCredentialsProvider(options)).token).toBe(
      (await generateAuthTokenFromCredentialsProvider(options)).token,
    )
    const notBundled = /is not bundled into this function: only generateAuthTokenFromCredentialsProvider/
    await expect(bundled.generateAuthToken({ region: 'eu-west-1' })).rejects.toThrow(notBundled)
    await expect(
      bundled.generateAuthTokenFromProfile({ region: 'eu-west-1', awsProfileName: 'p' }),
    ).rejects.toThrow(notBundled)
    await expect(
      bundled.generateAuthTokenFromRole({ region: 'eu-west-1', awsRoleArn: 'arn:aws:iam::1:role/r' }),
    ).rejects.toThrow(notBundled)
    await expect(
      bundled.generateAuthTokenFromCredentialsProvider({ ...options, awsDebugCreds: true }),
    ).rejects.toThrow(/client-sts is not bundled/)
  })
})
