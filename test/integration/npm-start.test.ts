import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type ChildOutput, childOutput } from '../support/child-output.js'
import { PROJECT_DIR } from '../support/kafka.js'

/** `npm start -- ARGS` as a user runs it; its stdout and stderr once it stops by itself. */
function npmStart(args: string[]): Promise<ChildOutput> {
  const { POWERTOOLS_DEV: _test, POWERTOOLS_METRICS_DISABLED: _tests, ...env } = process.env
  const child = spawn('npm', ['start', '--silent', '--', ...args], {
    cwd: PROJECT_DIR,
    // Debug logs (kafkajs's included), so there is plenty that must not reach the table.
    env: { ...env, SLS_TELEMETRY_DISABLED: '1', LOG_LEVEL: 'DEBUG' },
  })
  return childOutput(child)
}

const SINK_ROW =
  /^ +\d \| \{"ticker":"[A-Z]{1,4}"\} +\| \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})? +\| [A-Z]{1,4} +\| +\d+\.\d+$/

describe('npm start', () => {
  it('shows the live table alone: every line after the header is a row; the logs go to the file it names', async () => {
    const { code, stdout, stderr } = await npmStart(['--for', '20', '--every', '5'])
    expect(code, stderr).toBe(0)
    const [header, rule, ...rows] = stdout.trimEnd().split('\n')
    expect(header).toMatch(/^partition \| key +\| event_time +\| ticker \| +price$/)
    expect(rule).toMatch(/^-+$/)
    // Four producer runs of 17 records, most of them through the processor within 20 s.
    expect(rows.length).toBeGreaterThanOrEqual(17)
    for (const row of rows) expect(row).toMatch(SINK_ROW)
    // The JSON logs are in the file the notice names, not on the terminal.
    const logFile = /logs in (\S+);/.exec(stderr)?.[1] ?? ''
    expect(stderr).not.toMatch(/^\{/m)
    const logs = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
    expect(logs.length).toBeGreaterThan(10)
    for (const line of logs) expect(JSON.parse(line)).toHaveProperty('level')
  }, 120_000)
})
