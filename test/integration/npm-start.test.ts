import { describe, expect, it } from 'vitest'
import { runCommand } from '../support/commands.js'
import { freePorts } from '../support/ports.js'

/** A row of the live table: partition, key, and the stock's fields as the sink format wrote them. */
const SINK_ROW =
  /^ +\d \| \{"ticker":"[A-Z]{1,4}"\} +\| \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})? +\| [A-Z]{1,4} +\| +\d+(\.\d+)?$/

/** `npm start -- ARGS` as a user runs it, against the run's broker unless `env` says otherwise. */
function npmStart(args: string[], env: Record<string, string | undefined> = {}) {
  // Debug logs (kafkajs's included), so there is plenty that must not reach the table.
  return runCommand('npm', ['start', '--silent', '--', ...args], { env: { LOG_LEVEL: 'DEBUG', ...env } })
}

/** Ports where nothing listens, for a broker npm start is to start itself; no address named otherwise. */
async function portsOfItsOwn() {
  const [plaintext, controller, iam] = (await freePorts(3)).map(String) as [string, string, string]
  return {
    KAFKA_PORT: plaintext,
    KAFKA_CONTROLLER_PORT: controller,
    KAFKA_IAM_PORT: iam,
    KAFKA_DATA_DIR: undefined,
    LOCAL_KAFKA_BOOTSTRAP_SERVERS: undefined,
    LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS: undefined,
  }
}

/** Whether anything accepts connections on the port. */
async function listening(port: string): Promise<boolean> {
  const { createConnection } = await import('node:net')
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: Number(port) })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe('npm start', () => {
  it('shows the live table alone: every line after the header is a row; the logs go to the file it names', async () => {
    const { code, stdout, stderr, files } = await npmStart(['--for', '20', '--every', '5'])
    expect(code, stderr).toBe(0)
    const [header, rule, ...rows] = stdout.trimEnd().split('\n')
    expect(header).toMatch(/^partition \| key +\| event_time +\| ticker \| +price$/)
    expect(rule).toMatch(/^-+$/)
    // Four producer runs of 17 records, most of them through the processor within 20 s.
    expect(rows.length).toBeGreaterThanOrEqual(17)
    for (const row of rows) expect(row).toMatch(SINK_ROW)
    // The JSON logs are in the file the notice names, not on the terminal.
    const logFile = /logs in \S+\/([^/\s]+);/.exec(stderr)?.[1] ?? ''
    expect(stderr).not.toMatch(/^\{/m)
    const logs = (files[logFile] ?? '').split('\n').filter((line) => line !== '')
    expect(logs.length).toBeGreaterThan(10)
    for (const line of logs) expect(JSON.parse(line)).toHaveProperty('level')
  }, 120_000)

  it('writes with the sink format a param names: --param sinkFormat=json', async () => {
    const { code, stdout, stderr } = await npmStart(
      ['--for', '15', '--every', '5', '--param', 'sinkFormat=json'],
      {
        LOG_LEVEL: 'INFO',
      },
    )
    expect(code, stderr).toBe(0)
    expect(stderr).toMatch(/, sink format json: stocks-out \(sink\) below/)
    const rows = stdout.trimEnd().split('\n').slice(2)
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(row).toMatch(SINK_ROW)
    // The producer's event times as they were, six fraction digits: plain JSON keeps them.
    expect(rows.every((row) => /\| \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} +\|/.test(row))).toBe(true)
  }, 120_000)

  it('starts its broker on KAFKA_PORT, runs the pipeline against that broker and no other, and stops it', async () => {
    const ports = await portsOfItsOwn()
    const { code, stdout, stderr } = await npmStart(['--for', '15', '--every', '5'], {
      ...ports,
      LOG_LEVEL: 'INFO',
    })
    expect(code, stderr).toBe(0)
    expect(stderr).toContain(`starting Kafka 3.9.2 on 127.0.0.1:${ports.KAFKA_PORT}`)
    expect(stderr).toContain(`Kafka at 127.0.0.1:${ports.KAFKA_PORT},`)
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .slice(2)
        .filter((row) => SINK_ROW.test(row)).length,
    ).toBeGreaterThan(0)
    expect(stderr).toContain('[kafka] stopped')
    expect(await listening(ports.KAFKA_PORT)).toBe(false)
  }, 180_000)

  it('fails after starting its broker: one line that says what failed and what to do, and the broker stopped', async () => {
    const ports = await portsOfItsOwn()
    // The local-iam stage without credentials: the broker starts, then the first connection fails.
    const { code, stderr } = await npmStart(['--stage', 'local-iam', '--for', '30'], {
      ...ports,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
    })
    expect(code).toBe(1)
    expect(stderr).toContain(`broker ready on 127.0.0.1:${ports.KAFKA_PORT}`)
    const failures = stderr.split('\n').filter((line) => line.startsWith('npm start:'))
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatch(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set\. Locally, export them/)
    expect(stderr).not.toMatch(/^\s+at /m)
    expect(stderr).toContain('[kafka] stopped')
    expect(await listening(ports.KAFKA_PORT)).toBe(false)
  }, 180_000)
})
