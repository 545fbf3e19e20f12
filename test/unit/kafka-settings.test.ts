import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCommand } from '../support/commands.js'
import { PROJECT_DIR } from '../support/kafka.js'
import { freePorts } from '../support/ports.js'

/** scripts/kafka/kafka.sh start refuses a setting it cannot run with, before starting anything. */
async function start(settings: (ports: [string, string, string]) => Record<string, string>) {
  const ports = (await freePorts(3)).map(String) as [string, string, string]
  return runCommand(join(PROJECT_DIR, 'scripts/kafka/kafka.sh'), ['start'], {
    env: {
      KAFKA_PORT: ports[0],
      KAFKA_CONTROLLER_PORT: ports[1],
      KAFKA_IAM_PORT: ports[2],
      KAFKA_DATA_DIR: undefined,
      ...settings(ports),
    },
    timeoutMs: 60_000,
  })
}

describe('scripts/kafka/kafka.sh start', () => {
  it('refuses IAM sessions too short for kafkajs, which re-authenticates in their last 10 s', async () => {
    const result = await start(() => ({ KAFKA_IAM_REAUTH_MS: '10000' }))
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe(
      '[kafka] KAFKA_IAM_REAUTH_MS must be at least 11000 ms, got "10000": kafkajs re-authenticates in the last 10 s of a session, so a shorter session fails every connection (docs/local-kafka.md)',
    )
  })

  it.each([
    [() => ({ KAFKA_PORT: '9o92' }), '[kafka] KAFKA_PORT must be a port number from 1 to 65535, got "9o92"'],
    [
      () => ({ KAFKA_IAM_PORT: '70000' }),
      '[kafka] KAFKA_IAM_PORT must be a port number from 1 to 65535, got "70000"',
    ],
    [
      (ports: [string, string, string]) => ({ KAFKA_IAM_PORT: ports[0] }),
      /^\[kafka\] KAFKA_PORT \(\d+\), KAFKA_CONTROLLER_PORT \(\d+\) and KAFKA_IAM_PORT \(\d+\) must differ$/,
    ],
    [
      () => ({ KAFKA_IAM_REAUTH_MS: '15s' }),
      /^\[kafka\] KAFKA_IAM_REAUTH_MS must be at least 11000 ms, got "15s"/,
    ],
  ])('refuses a bad port or session setting (%#)', async (settings, message) => {
    const result = await start(settings)
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toMatch(message)
  })
})
