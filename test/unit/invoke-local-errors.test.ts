import { describe, expect, it } from 'vitest'
import { serverless } from '../support/serverless.js'

/**
 * `serverless invoke local` after a configuration error: the message, then it exits, promptly and not 0.
 * It used to print the message and hang, on the bundler's leftover esbuild process (serverless.yml,
 * custom.esbuild.skipRebuild).
 */

/** A generous bound on a command that must not hang: each of these takes a few seconds. */
const PROMPTLY_MS = 60_000

describe('serverless invoke local after a configuration error', () => {
  const invoke = (args: string[]) =>
    serverless(['invoke', 'local', ...args, '-f', 'producer', '-p', 'events/schedule.json'])

  it('a setting the function refuses when it starts: the ConfigError, then it exits', async () => {
    const result = await invoke(['--stage', 'local', '-e', 'KAFKA_AUTH=bogus'])
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toContain('KAFKA_AUTH must be one of iam, none, got "bogus"')
    // It used to print that, then hang on the bundler's leftover esbuild process.
    expect(result.ms).toBeLessThan(PROMPTLY_MS)
  })

  it('a stage serverless.yml does not have: named, with the stages it has', async () => {
    const result = await invoke(['--stage', 'unknown'])
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toContain(
      'stage "unknown" is not in serverless.yml (its stages: local, local-iam, dev, prod)',
    )
    expect(result.ms).toBeLessThan(PROMPTLY_MS)
  })

  it('a deployed stage, whose brokers are known only once deployed', async () => {
    const result = await invoke(['--stage', 'prod'])
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toContain('stage "prod" has cluster=existing')
    expect(result.ms).toBeLessThan(PROMPTLY_MS)
  })

  it('a param value the stage rules refuse', async () => {
    const result = await invoke(['--stage', 'local', '--param=validation=lenient'])
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toContain(
      '--param validation must be one of strict, flink, got "lenient"',
    )
    expect(result.ms).toBeLessThan(PROMPTLY_MS)
  })

  it('a local port that is not a port', async () => {
    const result = await serverless(
      ['invoke', 'local', '--stage', 'local', '-f', 'producer', '-p', 'events/schedule.json'],
      { KAFKA_PORT: '90x', LOCAL_KAFKA_BOOTSTRAP_SERVERS: '' },
    )
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toContain(
      'KAFKA_PORT must be a port number from 1 to 65535, got "90x"',
    )
    expect(result.stdout + result.stderr).not.toMatch(/^\s+at /m)
    expect(result.ms).toBeLessThan(PROMPTLY_MS)
  })
})
