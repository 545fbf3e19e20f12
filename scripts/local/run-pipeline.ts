/**
 * Runs the whole pipeline locally: `npm start [-- --every 10 --for 60 --topic sink|dead-letters|gave-up --trace]`.
 *
 * Starts the local broker if it is not running, creates the topics, then runs the real handlers with the
 * local stage's settings: the producer every `--every` seconds (the original sent a batch every 5-10 s),
 * the processor behind a local MSK event source mapping, and prints what arrives on `stocks-out` (or the
 * dead letters, or what the mapping gave up on) as a live table, alone on stdout: the functions' and
 * clients' logs go to a file it names. Ctrl-C stops everything it started.
 */
// First: from here on the loggers write to the log file; then any failure is one line on stderr.
import './quiet-logs.js'
import '../cli/exit.js'
import { openSync, readFileSync } from 'node:fs'
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import type { Kafka } from 'kafkajs'
import { loadProcessorConfig, loadProducerConfig } from '../../lib/config.js'
import { asError } from '../../lib/errors.js'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { ensureTopicsOn, topicSpecs } from '../../lib/kafka/topics.js'
import { explainFailures, nameCommand, undoOnFailure } from '../cli/exit.js'
import { cannotReach, stageBrokerAdvice } from '../cli/failure.js'
import { UsageError } from '../cli/flags.js'
import { startConsole } from '../console/console.js'
import { LocalEventSourceMapping } from './event-source-mapping.js'
import { WorkerInvoker } from './invokers.js'
import { lambdaContext } from './lambda-context.js'
import { startLocalBroker } from './local-broker.js'
import { localBrokers } from './local-brokers.cjs'
import { startLocalSqs } from './local-sqs.js'
import {
  KafkaTopicDestination,
  type OnFailureDestination,
  SqsQueueDestination,
} from './on-failure-destinations.js'
import { keepLogFile, LOG_FILE, notice, showRow } from './quiet-logs.js'
import { loadStageSettings } from './stage-env.js'
import { parseStartFlags, startTracingEnvironment } from './start-flags.js'
import type { TableKind } from './table.js'
import { startTablePrinter } from './table-printer.js'

nameCommand('npm start')
const args = parseStartFlags(process.argv.slice(2))
if (args.help) {
  process.stdout.write(`usage: ${args.usage}\n`)
  process.exit(0)
}
const { kind, everyMs, runForMs } = args

// The stage first (no broker needed): a wrong --stage or --param stops here, before anything started.
const stage = await loadStageSettings(args.stage, args.params, { local: true })
const brokers = stage.environment.KAFKA_BOOTSTRAP_SERVERS ?? ''
explainFailures((error) => (cannotReach(error) ? stageBrokerAdvice(stage.cluster, [brokers]) : undefined))
if (kind === 'gave-up' && stage.mapping.gaveUpTopic === undefined) {
  throw new UsageError(
    `--topic gave-up: stage ${stage.name} records what the mapping gives up on ${stage.mapping.onFailure?.kind === 'sqs' ? 'on an SQS queue (npm run replay -- --queue-url reads it)' : 'nowhere (no on-failure destination)'}, not on a topic`,
  )
}
// The local broker, started here when the stage uses it (its address derived from KAFKA_PORT, not named
// by LOCAL_KAFKA_BOOTSTRAP_SERVERS) and it is not running; then stopped on the way out, failure or not.
const local = localBrokers()
const ownBroker =
  (brokers === local.plaintext && local.plaintextFrom === 'KAFKA_PORT') ||
  (brokers === local.iam && local.iamFrom === 'KAFKA_IAM_PORT')
const broker = ownBroker ? startLocalBroker() : { startedHere: false, stop: () => undefined }
undoOnFailure(broker.stop)

// Like a warm Lambda container: the handlers keep their connection between invocations. The table is
// the output here, so the functions' CloudWatch metrics (EMF lines) are not printed. Tracing is off
// unless --trace (OpenTelemetry's variables, which the worker processes inherit).
const tracing = startTracingEnvironment(args.trace, process.env)
Object.assign(process.env, stage.environment, tracing.environment, {
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
keepLogFile()
notice(
  `stage ${stage.name}, Kafka at ${brokers}, sink format ${processorConfig.sinkFormat}: ${topics[kind]} (${kind}) below; logs in ${LOG_FILE}; Ctrl-C stops`,
)
const printer = await startTablePrinter(processorConfig.kafka, {
  clientId: 'local-printer',
  fromBeginning: false,
  kind,
  topic: topics[kind],
  write: showRow,
})
const pipelineConsole = await startConsole({
  stageName: args.stage,
  params: args.params,
  stage,
  processor: processorConfig,
  kafka,
})
notice(`console: ${pipelineConsole.url}`)
if (tracing.where !== undefined) notice(`tracing: each invocation's spans ${tracing.where}`)
const gaveUpTopic = stage.mapping.gaveUpTopic
let stopSqs: () => void = () => undefined

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
  const sqs = startLocalSqs()
  undoOnFailure(sqs.stop)
  stopSqs = sqs.stop
  const endpoint = sqs.endpoint
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
        `! processor failed on ${records} records of ${partitions.join(', ')} (attempt ${attempt}): ${asError(error).message}`,
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
    notice(`! producer failed: ${asError(error).message}`),
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
  stopSqs()
  await pipelineConsole.close()
  broker.stop()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
if (runForMs !== undefined) setTimeout(stop, runForMs)
