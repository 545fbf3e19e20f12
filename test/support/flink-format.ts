import { execFileSync, spawn } from 'node:child_process'
import { join } from 'node:path'

/**
 * The real Flink JSON format (flink-json 2.2.1 from Maven Central) as an oracle for lib/flink/:
 * scripts/flink-format/FlinkFormatOracle.java runs values through the deserializer and the key and value
 * serializers that the original job's tables get, with no Flink job running.
 */

const PROJECT_DIR = new URL('../..', import.meta.url).pathname
export const FLINK_FORMAT_SCRIPT = join(PROJECT_DIR, 'scripts/flink-format/install.sh')
export const FLINK_FORMAT_ORACLE = join(PROJECT_DIR, 'scripts/flink-format/FlinkFormatOracle.java')

export interface WrittenRow {
  readonly key: Buffer
  readonly value: Buffer
}

/** What the Flink job did with one source value. */
export type FlinkOutcome =
  /** The records it wrote to the sink topic: one a row (a top-level JSON array gives one per element). */
  | { readonly kind: 'written'; readonly rows: readonly WrittenRow[] }
  /** The deserializer produced no row: nothing was written, the job went on. */
  | { readonly kind: 'skipped' }
  /** The job failed on this record: the innermost exception, `class: message` on one line. */
  | { readonly kind: 'failed'; readonly error: string }

/** Installs the oracle's jars if they are not there yet (a minute the first time) and returns its classpath. */
export function flinkFormatClasspath(): string {
  return execFileSync(FLINK_FORMAT_SCRIPT, ['classpath'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 600_000,
  }).trim()
}

function parseLine(line: string): FlinkOutcome {
  const space = line.indexOf(' ')
  const word = space < 0 ? line : line.slice(0, space)
  if (word === 'SKIPPED') return { kind: 'skipped' }
  if (word === 'FAILED') return { kind: 'failed', error: line.slice(space + 1) }
  if (word !== 'WRITTEN') throw new Error(`the oracle printed an unexpected line: ${line}`)
  const parts = line.slice(space + 1).split(' ')
  if (parts.length % 2 !== 0) throw new Error(`the oracle printed an odd WRITTEN line: ${line}`)
  const rows: WrittenRow[] = []
  for (let i = 0; i < parts.length; i += 2) {
    rows.push({
      key: Buffer.from(parts[i] ?? '', 'base64'),
      value: Buffer.from(parts[i + 1] ?? '', 'base64'),
    })
  }
  return { kind: 'written', rows }
}

/**
 * Runs the values (null: a tombstone) through the real Flink JSON format in one JVM, and returns what the
 * job did with each, in order.
 */
export async function runFlinkFormat(
  classpath: string,
  values: readonly (Uint8Array | null)[],
): Promise<FlinkOutcome[]> {
  const java = spawn('java', ['-cp', classpath, FLINK_FORMAT_ORACLE], { stdio: ['pipe', 'pipe', 'pipe'] })
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  java.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  java.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  const exited = new Promise<number | null>((resolve, reject) => {
    java.on('error', reject)
    java.on('close', resolve)
  })
  const input = values
    .map((value) => (value === null ? 'null' : Buffer.from(value).toString('base64')))
    .join('\n')
  java.stdin.end(values.length === 0 ? '' : `${input}\n`)
  const code = await exited
  if (code !== 0) {
    throw new Error(`the Flink format oracle exited with ${code}: ${Buffer.concat(stderr).toString('utf8')}`)
  }
  const lines = Buffer.concat(stdout).toString('utf8').split('\n')
  if (lines.at(-1) === '') lines.pop()
  if (lines.length !== values.length) {
    throw new Error(`the Flink format oracle answered ${lines.length} lines for ${values.length} values`)
  }
  return lines.map(parseLine)
}
