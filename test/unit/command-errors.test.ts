import { describe, expect, it } from 'vitest'
import { type CommandResult, runCommand } from '../support/commands.js'
import { freePorts } from '../support/ports.js'

/**
 * Bad input to the commands a user runs, as the user runs them: each ends at once with one line that says
 * what is wrong, no stack, and an exit code that is not 0 (2 for a wrong command line). None of these
 * needs a broker.
 */

/** A generous bound on a command that must not hang: each of these takes a few seconds. */
const PROMPTLY_MS = 60_000

function expectOneLine(result: CommandResult, code: number, prefix: string, message: string | RegExp) {
  expect(result.timedOut).toBe(false)
  expect(result.code, result.stderr).toBe(code)
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('[kafka]'))
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]?.startsWith(`${prefix}: `)).toBe(true)
  expect(lines[0]).toMatch(message)
  expect(result.stderr).not.toContain('[object Object]')
}

const npmRun = (script: string, args: string[], env: Record<string, string | undefined> = {}) =>
  runCommand('npm', ['run', '--silent', script, '--', ...args], { env, timeoutMs: PROMPTLY_MS })

describe.concurrent('the operator commands and npm start, given a wrong command line', () => {
  it('npm run status --stage unknown: the stage and the stages there are (it said "[object Object]")', async () => {
    expectOneLine(
      await npmRun('status', ['--stage', 'unknown']),
      2,
      'npm run status',
      '--stage "unknown" is not a stage of serverless.yml (its stages: local, local-iam, dev, prod)',
    )
  })

  it.each([
    ['replay', ['--partition', 'abc'], '--partition "abc" is not a whole number 0 or more'],
    ['replay', ['--partition', '-1'], '--partition "-1" is not a whole number 0 or more'],
    ['replay', ['--since', '1h', '--until', '2h'], /--since 1h \(.*\) is not before --until 2h/],
    [
      'redrive',
      ['--reason', 'NOPE'],
      /--reason "NOPE" is not one of TOMBSTONE, .*INVALID_EVENT_TIME, RECORD_TOO_LARGE$/,
    ],
    ['redrive', ['--limit', '0'], '--limit "0" is not a whole number 1 or more'],
    [
      'status',
      ['--stage', 'local', '--param', 'validaton=flink'],
      '--param validaton: not a param of serverless.yml',
    ],
    ['consume', ['--topic', 'dlq'], '--topic "dlq" is not one of sink, dead-letters, gave-up'],
    ['start', ['--every', '0'], '--every "0" is not a number of seconds from 1 to 2147483'],
    ['start', ['--stage', 'prod'], 'stage "prod" has cluster=existing'],
    [
      'start',
      ['--param', 'onFailureDestination=sqs', '--topic', 'gave-up'],
      /--topic gave-up: .* on an SQS queue/,
    ],
  ])('npm run %s %j', async (script, args, message) => {
    const prefix = script === 'start' ? 'npm start' : `npm run ${script}`
    const result = await (script === 'start'
      ? runCommand('npm', ['start', '--silent', '--', ...args], { timeoutMs: PROMPTLY_MS })
      : npmRun(script, args))
    expectOneLine(result, 2, prefix, message)
    expect(result.stdout).toBe('')
    // Refused before anything started.
    expect(result.stderr).not.toContain('[kafka] starting')
  })

  it('npm start against a broker that is not there: which address, which variable named it, what to do', async () => {
    const [port] = await freePorts(1)
    const result = await runCommand('npm', ['start', '--silent', '--', '--for', '5'], {
      env: { LOCAL_KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}` },
      timeoutMs: PROMPTLY_MS,
    })
    expectOneLine(
      result,
      1,
      'npm start',
      `ECONNREFUSED 127.0.0.1:${port}. No broker answers at 127.0.0.1:${port}, which LOCAL_KAFKA_BOOTSTRAP_SERVERS names: start that broker, or unset LOCAL_KAFKA_BOOTSTRAP_SERVERS`,
    )
    // The address named another broker: none was started for it.
    expect(result.stderr).not.toContain('[kafka] starting')
  })
})
