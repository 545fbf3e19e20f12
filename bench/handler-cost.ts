import { spawn } from 'node:child_process'
import { Kafka, logLevel } from 'kafkajs'
import { localBrokers } from '../scripts/local/local-brokers.cjs'
import { bundle } from './cold-start.js'
import { type Measurement, summarise } from './stats.js'

const PROJECT_DIR = new URL('..', import.meta.url).pathname

export interface HandlerCostResult {
  readonly records: number
  /** Microseconds per record: the deployed handler, from the invocation to its return. */
  readonly handlerUs: Measurement
  /** Microseconds per record: a bare kafkajs producer sending the handler's messages (acks=all). */
  readonly bareUs: Measurement
  /** The handler's time over the bare send's, round by round. */
  readonly ratio: Measurement
  /** Microseconds per record: the same bare send, partitioning as the sink does (key-partitioner.ts). */
  readonly rememberingUs: Measurement
  /** The handler's time over that send's, round by round: its cost beyond sending, partitioning alike. */
  readonly ratioRemembering: Measurement
}

interface ChildReport {
  readonly handlerMs: number[]
  readonly bareMs: number[]
  readonly rememberingMs: number[]
}

/**
 * The processor handler's cost per record at each event size, measured as it runs when deployed: its
 * bundle, in a fresh process per size (a Lambda execution environment), the bundle's module state, the connection
 * kept across warm invocations, Logger at its default level and Metrics flushing EMF to stdout (which
 * Lambda sends to CloudWatch; here it is discarded). The reference is what no handler can avoid: the
 * bare kafkajs send of the same messages to the same broker.
 */
export async function benchHandlerCost(
  sizes: readonly number[],
  rounds: number,
  broker = localBrokers().plaintext,
): Promise<HandlerCostResult[]> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [broker], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const suffix = Date.now().toString(36)
  const topics = { sink: `cost-out-${suffix}`, deadLetter: `cost-dlq-${suffix}`, bare: `cost-bare-${suffix}` }
  await admin.createTopics({
    topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 2 })),
    waitForLeaders: true,
  })
  // The handler as deployed: the bundle serverless-esbuild builds (minified, kafkajs producer-only).
  const handlerModule = await bundle('processor')
  const results: HandlerCostResult[] = []
  try {
    for (const size of sizes) {
      const report = await runChild(size, rounds, {
        KAFKA_BOOTSTRAP_SERVERS: broker,
        KAFKA_AUTH: 'none',
        KAFKA_REUSE_CONNECTION: 'true',
        SINK_TOPIC: topics.sink,
        DEAD_LETTER_TOPIC: topics.deadLetter,
        BARE_TOPIC: topics.bare,
        POWERTOOLS_SERVICE_NAME: 'msk-lambda-stocks',
        POWERTOOLS_METRICS_NAMESPACE: 'MskLambdaStocks',
        STAGE: 'bench',
        HANDLER_MODULE: handlerModule,
      })
      const perRecord = (samples: number[]) => summarise(samples.map((ms) => (ms * 1000) / size))
      results.push({
        records: size,
        handlerUs: perRecord(report.handlerMs),
        bareUs: perRecord(report.bareMs),
        ratio: summarise(report.handlerMs.map((ms, i) => ms / (report.bareMs[i] ?? Number.NaN))),
        rememberingUs: perRecord(report.rememberingMs),
        ratioRemembering: summarise(
          report.handlerMs.map((ms, i) => ms / (report.rememberingMs[i] ?? Number.NaN)),
        ),
      })
    }
  } finally {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined)
    await admin.disconnect()
  }
  return results
}

function runChild(size: number, rounds: number, environment: Record<string, string>): Promise<ChildReport> {
  // Only the variables a Lambda environment would have: no POWERTOOLS_DEV or log level from the caller.
  const { PATH, HOME, TMPDIR } = process.env
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/handler-child.ts', String(size), String(rounds)],
    {
      cwd: PROJECT_DIR,
      env: { PATH, HOME, ...(TMPDIR === undefined ? {} : { TMPDIR }), ...environment },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => {
      const line = stderr.trim().split('\n').at(-1) ?? ''
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`handler bench (${size} records) exited ${code}: ${stderr.slice(-2000)}`))
        return
      }
      resolve(JSON.parse(line) as ChildReport)
    })
  })
}
