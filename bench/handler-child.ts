/**
 * Run by handler-cost.ts in a fresh process, as a Lambda execution environment: the deployed processor
 * handler (the bundle of functions/processor.ts, HANDLER_MODULE: middy, Logger, Metrics flushed to stdout, the reused connection)
 * against a bare kafkajs producer sending the same messages, taking turns; and a second bare producer that
 * partitions as the sink does (remembering each key's partition), so the handler's cost beyond the send
 * shows apart from the hashing the sink saves. Prints one JSON line on stderr: each way's milliseconds per
 * event.
 */
import type { Context } from 'aws-lambda'
import { Kafka, logLevel } from 'kafkajs'
import { rememberingDefaultPartitioner } from '../lib/kafka/key-partitioner.js'
import { MAX_REQUEST_BYTES, splitIntoRequests } from '../lib/kafka/requests.js'
import type { MskEvent } from '../lib/msk/event.js'
import { transformRecord } from '../lib/processor/transform.js'
import { lambdaContext } from '../scripts/local/lambda-context.js'
import { localBrokers } from '../scripts/local/local-brokers.cjs'
import { makeMskEvent, transformOptions } from './events.js'
import { timeAlternating } from './stats.js'
import { withProducerTraceHeaders } from './tracing-events.js'

const [size = 500, rounds = 20] = process.argv.slice(2).map(Number)
const broker = process.env.KAFKA_BOOTSTRAP_SERVERS ?? localBrokers().plaintext
const sinkTopic = process.env.SINK_TOPIC ?? ''
const bareTopic = process.env.BARE_TOPIC ?? ''

// Records as the deployed producer writes them: traced (its schedule is always sampled), so each carries
// `traceparent`.
const event: MskEvent = withProducerTraceHeaders(makeMskEvent(size))
type Handler = (event: MskEvent, context: Context) => Promise<unknown>
const { handler } = (await import(process.env.HANDLER_MODULE ?? '../functions/processor.js')) as {
  handler: Handler
}
const invoke = () => handler(event, lambdaContext('bench-processor', 60_000))

const messages = Object.values(event.records)
  .flat()
  .flatMap((record) => {
    const outcome = transformRecord(record, transformOptions)
    return outcome.kind === 'sink' ? outcome.messages : [outcome.message]
  })
  .map(({ key, value, headers }) => ({
    key,
    value,
    headers: Object.fromEntries((headers ?? []).map((h) => [h.key, h.value])),
  }))
const requests = splitIntoRequests([{ topic: bareTopic, messages }], MAX_REQUEST_BYTES)
const kafka = new Kafka({ clientId: 'bench-bare', brokers: [broker], logLevel: logLevel.NOTHING })
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
const remembering = kafka.producer({
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: () => rememberingDefaultPartitioner(),
})
await Promise.all([producer.connect(), remembering.connect()])
const sendWith = (client: typeof producer) => async () => {
  for (const topicMessages of requests) await client.sendBatch({ topicMessages, acks: -1 })
}
const sendBare = sendWith(producer)
const sendRemembering = sendWith(remembering)

// A warm Lambda environment reading a stream has run its code thousands of times, fully optimised by V8:
// both ways first run about 100,000 records' worth (fewer left the handler measurably slower), and as
// many measured rounds, which also steadies the medians on this shared machine.
const warmRounds = Math.max(rounds, Math.ceil(100_000 / size))
const ways = [invoke, sendBare, sendRemembering]
await timeAlternating(warmRounds, ways)
const [handlerMs = [], bareMs = [], rememberingMs = []] = await timeAlternating(warmRounds, ways)
await Promise.all([producer.disconnect(), remembering.disconnect()])
process.stderr.write(`${JSON.stringify({ size, sinkTopic, handlerMs, bareMs, rememberingMs })}\n`)
process.exit(0)
