/**
 * Runs the whole pipeline locally: `npm start [-- --every 10 --for 60 --topic sink|dead-letters|gave-up]`.
 *
 * Starts the local broker if it is not running, creates the topics, then runs the real handlers with the
 * local stage's settings: the producer every `--every` seconds (the original sent a batch every 5-10 s),
 * the processor behind a local MSK event source mapping, and prints what arrives on `stocks-out` (or the
 * dead letters, or what the mapping gave up on) as a live table, alone on stdout: the functions' and
 * clients' logs go to a file it names. Ctrl-C stops everything it started.
 */
// First: from here on the loggers write to the log file.
import './quiet-logs.js'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { Context } from 'aws-lambda'
import type { Kafka } from 'kafkajs'
import { loadProcessorConfig, loadProducerConfig } from '../../lib/config.js'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { ensureTopicsOn, topicSpecs } from '../../lib/kafka/topics.js'
import { describeError } from '../../lib/log.js'
import type { MskEvent } from '../../lib/msk/event.js'
import { LocalEventSourceMapping } from './event-source-mapping.js'
import { LOG_FILE, notice, showRow } from './quiet-logs.js'
import { loadStageSettings } from './stage-env.js'
import { TABLE_KINDS, type TableKind } from './table.js'
import { startTablePrinter } from './table-printer.js'

const { values: args } = parseArgs({
  options: {
    every: { type: 'string', default: '10' },
    for: { type: 'string' },
    stage: { type: 'string', default: 'local' },
    topic: { type: 'string', default: 'sink' },
  },
})
const kind = args.topic as TableKind
const everyMs = Number(args.every) * 1000
const runForMs = args.for === undefined ? undefined : Number(args.for) * 1000
if (!(everyMs > 0) || (runForMs !== undefined && !(runForMs > 0)) || !TABLE_KINDS.includes(kind)) {
  notice(
    `usage: npm start -- [--every SECONDS] [--for SECONDS] [--stage local] [--topic ${TABLE_KINDS.join('|')}]`,
  )
  process.exit(2)
}

const kafkaScript = new URL('../kafka/kafka.sh', import.meta.url).pathname
const brokerWasRunning = spawnSync(kafkaScript, ['status'], { stdio: 'ignore' }).status === 0
if (!brokerWasRunning && spawnSync(kafkaScript, ['start'], { stdio: 'inherit' }).status !== 0) process.exit(1)

const stage = await loadStageSettings(args.stage)
// Like a warm Lambda container: the handlers keep their connection between invocations. The table is
// the output here, so the functions' CloudWatch metrics (EMF lines) are not printed.
Object.assign(process.env, stage.environment, {
  KAFKA_REUSE_CONNECTION: 'true',
  POWERTOOLS_METRICS_DISABLED: 'true',
})
const producerConfig = loadProducerConfig()
const processorConfig = loadProcessorConfig()
const kafka: Kafka = createKafka(
  { ...processorConfig.kafka, clientId: 'local-pipeline' },
  createBrokerResolver(processorConfig.kafka),
)

await ensureTopicsOn(
  kafka,
  topicSpecs([producerConfig.sourceTopic, processorConfig.sinkTopic, processorConfig.deadLetterTopic]),
)

const { handler: producer } = await import('../../functions/producer.js')
const { handler: processor } = await import('../../functions/processor.js')

function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }
}

const topics: Record<TableKind, string> = {
  sink: processorConfig.sinkTopic,
  'dead-letters': processorConfig.deadLetterTopic,
  'gave-up': stage.mapping.gaveUpTopic ?? 'stocks-gave-up',
}
notice(`stage ${args.stage}: ${topics[kind]} (${kind}) below; logs in ${LOG_FILE}; Ctrl-C stops`)
const printer = await startTablePrinter(processorConfig.kafka, {
  clientId: 'local-printer',
  fromBeginning: false,
  kind,
  topic: topics[kind],
  write: showRow,
})
const mapping = new LocalEventSourceMapping({
  kafka,
  topic: stage.mapping.topic,
  consumerGroupId: stage.mapping.consumerGroupId,
  batchSize: stage.mapping.batchSize,
  maximumBatchingWindowMs: stage.mapping.maximumBatchingWindowSeconds * 1000,
  reportBatchItemFailures: processorConfig.reportBatchItemFailures,
  eventSourceArn: processorConfig.kafka.clusterArn ?? 'arn:aws:kafka:local',
  bootstrapServers: processorConfig.kafka.bootstrapServers,
  handler: (event: MskEvent) => processor(event, lambdaContext('processor', 60_000)),
  onInvocation: ({ error, records, attempt }) => {
    if (error !== undefined) {
      notice(
        `! processor failed on ${records} records (attempt ${attempt}), retrying: ${describeError(error).message}`,
      )
    }
  },
})
await mapping.start()

const scheduleEvent = JSON.parse(readFileSync(new URL('../../events/schedule.json', import.meta.url), 'utf8'))
let producing: Promise<unknown> = Promise.resolve()
const tick = () => {
  producing = producer(scheduleEvent, lambdaContext('producer', 90_000)).catch((error: unknown) =>
    notice(`! producer failed: ${describeError(error).message}`),
  )
}
tick()
const ticker = setInterval(tick, everyMs)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  notice('stopping...')
  clearInterval(ticker)
  await producing
  await mapping.stop()
  await printer.disconnect()
  if (!brokerWasRunning) spawnSync(kafkaScript, ['stop'], { stdio: 'inherit' })
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
if (runForMs !== undefined) setTimeout(stop, runForMs)
