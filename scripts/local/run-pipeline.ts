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
import { openSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import type { Kafka } from 'kafkajs'
import { loadProcessorConfig, loadProducerConfig } from '../../lib/config.js'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { ensureTopicsOn, topicSpecs } from '../../lib/kafka/topics.js'
import { describeError } from '../../lib/log.js'
import { startConsole } from '../console/console.js'
import { LocalEventSourceMapping } from './event-source-mapping.js'
import { WorkerInvoker } from './invokers.js'
import { lambdaContext } from './lambda-context.js'
import {
  KafkaTopicDestination,
  type OnFailureDestination,
  SqsQueueDestination,
} from './on-failure-destinations.js'
import { LOG_FILE, notice, showRow } from './quiet-logs.js'
import { loadStageSettings } from './stage-env.js'
import { TABLE_KINDS, type TableKind } from './table.js'
import { startTablePrinter } from './table-printer.js'

const { values: args } = parseArgs({
  options: {
    every: { type: 'string', default: '10' },
    for: { type: 'string' },
    stage: { type: 'string', default: 'local' },
    param: { type: 'string', multiple: true, default: [] },
    topic: { type: 'string', default: 'sink' },
  },
})
const kind = args.topic as TableKind
const everyMs = Number(args.every) * 1000
const runForMs = args.for === undefined ? undefined : Number(args.for) * 1000
if (!(everyMs > 0) || (runForMs !== undefined && !(runForMs > 0)) || !TABLE_KINDS.includes(kind)) {
  notice(
    `usage: npm start -- [--every SECONDS] [--for SECONDS] [--stage local] [--param k=v ...] [--topic ${TABLE_KINDS.join('|')}]`,
  )
  process.exit(2)
}

const kafkaScript = new URL('../kafka/kafka.sh', import.meta.url).pathname
const brokerWasRunning = spawnSync(kafkaScript, ['status'], { stdio: 'ignore' }).status === 0
if (!brokerWasRunning && spawnSync(kafkaScript, ['start'], { stdio: 'inherit' }).status !== 0) process.exit(1)

const stage = await loadStageSettings(args.stage, args.param)
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
  topicSpecs(
    [
      producerConfig.sourceTopic,
      processorConfig.sinkTopic,
      processorConfig.deadLetterTopic,
      ...(stage.mapping.gaveUpTopic === undefined ? [] : [stage.mapping.gaveUpTopic]),
    ],
    { maxMessageBytes: processorConfig.kafka.maxMessageBytes },
  ),
)

const { handler: producer } = await import('../../functions/producer.js')

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
const pipelineConsole = await startConsole({
  stageName: args.stage,
  params: args.param,
  stage,
  processor: processorConfig,
  kafka,
})
notice(`console: ${pipelineConsole.url}`)
const gaveUpTopic = stage.mapping.gaveUpTopic

/**
 * The stage's on-failure destination, locally: its gave-up topic, or (onFailureDestination=sqs) a queue
 * on the SQS-compatible server of scripts/sqs, started here if it is not running.
 */
async function onFailureDestination(): Promise<{ onFailure?: OnFailureDestination }> {
  if (gaveUpTopic !== undefined) {
    return {
      onFailure: new KafkaTopicDestination(kafka, gaveUpTopic, processorConfig.kafka.maxMessageBytes),
    }
  }
  if (stage.mapping.onFailure?.kind !== 'sqs') return {}
  const sqsScript = new URL('../sqs/sqs-server.sh', import.meta.url).pathname
  if (spawnSync(sqsScript, ['start'], { stdio: 'inherit' }).status !== 0) process.exit(1)
  const endpoint = spawnSync(sqsScript, ['endpoint'], { encoding: 'utf8' }).stdout.trim()
  // The local server takes any credentials.
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    useDualstackEndpoint: false,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: `${stage.mapping.consumerGroupId}-failures` }),
  )
  if (QueueUrl === undefined) throw new Error(`no queue URL from ${endpoint}`)
  notice(
    `on-failure destination: ${QueueUrl} (replay: npm run replay -- --queue-url ${QueueUrl} --sqs-endpoint ${endpoint})`,
  )
  return { onFailure: new SqsQueueDestination(client, QueueUrl) }
}
const logFile = openSync(LOG_FILE, 'a')
const mapping = new LocalEventSourceMapping({
  kafka,
  topic: stage.mapping.topic,
  consumerGroupId: stage.mapping.consumerGroupId,
  batchSize: stage.mapping.batchSize,
  maximumBatchingWindowMs: stage.mapping.maximumBatchingWindowSeconds * 1000,
  reportBatchItemFailures: stage.mapping.reportBatchItemFailures,
  maximumRetryAttempts: stage.mapping.maximumRetryAttempts,
  maximumRecordAgeSeconds: stage.mapping.maximumRecordAgeSeconds,
  ...(await onFailureDestination()),
  eventSourceArn: processorConfig.kafka.clusterArn ?? 'arn:aws:kafka:local',
  bootstrapServers: processorConfig.kafka.bootstrapServers,
  // One execution environment per partition, each a process of its own, as the deployed mapping scales.
  invokerFor: () =>
    new WorkerInvoker({
      module: new URL('../../functions/processor.ts', import.meta.url).pathname,
      functionName: 'processor',
      timeoutMs: 60_000,
      // One JSON line per log entry, as in CloudWatch, straight into the log file.
      environment: { POWERTOOLS_DEV: 'false' },
      logTo: logFile,
    }),
  onInvocation: ({ error, records, attempt, partitions }) => {
    if (error !== undefined) {
      notice(
        `! processor failed on ${records} records of ${partitions.join(', ')} (attempt ${attempt}): ${describeError(error).message}`,
      )
    }
  },
  onGiveUp: ({ partition, records, firstOffset, lastOffset, condition, recorded, deliveryError }) =>
    notice(
      `! gave up on ${records} records of ${partition} (offsets ${firstOffset}-${lastOffset}, ${condition}); ` +
        (recorded
          ? `recorded on ${gaveUpTopic}: npm run replay brings them back`
          : deliveryError === undefined
            ? 'discarded, as Lambda does without a destination'
            : `the destination refused them (${deliveryError.message}): dropped, as Lambda drops them; ` +
              'they are still on the source topic at those offsets'),
    ),
  onDestinationError: ({ partition, records, attempt, error, willRetry }) =>
    notice(
      `! on-failure destination did not take ${records} records of ${partition} (attempt ${attempt}): ` +
        `${error.message}${willRetry ? '; trying again' : ''}`,
    ),
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
  await pipelineConsole.close()
  if (!brokerWasRunning) spawnSync(kafkaScript, ['stop'], { stdio: 'inherit' })
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
if (runForMs !== undefined) setTimeout(stop, runForMs)
