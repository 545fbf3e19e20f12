/**
 * `npm run bench [-- --flink]`: every figure measured beside its reference in the same run, several
 * rounds, median and spread, written to bench/RESULTS.md with the machine and versions; figures over
 * budget are listed last (and make the command exit 1). Needs the local broker, which it starts if it is
 * not running; `--flink` adds the original PyFlink job to the pipeline rounds (scripts/flink/setup.sh).
 */
import '../scripts/cli/exit.js'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { nameCommand, undoOnFailure } from '../scripts/cli/exit.js'
import { startLocalBroker } from '../scripts/local/local-broker.js'
import { localBrokers } from '../scripts/local/local-brokers.cjs'
import { benchColdStart } from './cold-start.js'
import { benchEndToEnd, benchProducer } from './e2e.js'
import { benchHandlerCost } from './handler-cost.js'
import { benchHotPath } from './hot-path.js'
import { benchLatency, COMPARED_SETTINGS } from './latency.js'
import { benchMemory } from './memory.js'
import { benchPipeline } from './pipeline.js'
import { fmt } from './stats.js'
import { coldStartTable, hotPathTables, latencyTable, pipelineTable, show } from './tables.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const { values: options } = parseArgs({
  options: {
    flink: { type: 'boolean', default: false },
    'pipeline-records': { type: 'string', default: '200000' },
    'pipeline-rounds': { type: 'string', default: '3' },
  },
})
nameCommand('npm run bench')
// The broker every local tool uses (scripts/local/local-brokers.cjs): the one kafka.sh runs on KAFKA_PORT,
// started here if it is not running and stopped after, or the one LOCAL_KAFKA_BOOTSTRAP_SERVERS names.
const local = localBrokers()
const BROKER = local.plaintext
const PROJECT_DIR = new URL('..', import.meta.url).pathname
const broker = local.plaintextFrom === 'KAFKA_PORT' ? startLocalBroker() : { stop: () => undefined }
undoOnFailure(broker.stop)
console.error(`Kafka at ${BROKER}`)

const version = (pkg: string) =>
  (JSON.parse(readFileSync(`${PROJECT_DIR}node_modules/${pkg}/package.json`, 'utf8')) as { version: string })
    .version

console.error('hot path...')
const hot = await benchHotPath([100, 1_000, 10_000], ROUNDS * 3)
console.error('end to end...')
// A round takes about 0.2 s on the broker, which shares the 2 cores: more rounds steady the median.
const e2e = await benchEndToEnd(10_000, ROUNDS * 3)
console.error('producer...')
const producer = await benchProducer(ROUNDS * 3)
console.error('cold start...')
const cold = await benchColdStart(['producer', 'processor', 'topics'], ROUNDS)
console.error('memory...')
const memory = benchMemory(10_000, 3)
console.error('handler cost...')
const handlerCost = await benchHandlerCost([100, 500, 2_000, 10_000], ROUNDS * 3, BROKER)
console.error('pipeline...')
const pipeline = await benchPipeline({
  records: Number(options['pipeline-records']),
  rounds: Number(options['pipeline-rounds']),
  flink: options.flink,
  broker: BROKER,
  log: (line) => console.error(line),
})
console.error('latency...')
const latency = await benchLatency({
  broker: BROKER,
  cadenceTicks: 8,
  loadSeconds: 10,
  loadRate: 20_000,
  trickleRate: 200,
  alternatives: COMPARED_SETTINGS,
  log: (line) => console.error(line),
})
broker.stop()

const overBudget: string[] = []
const check = (ok: boolean, what: string) => {
  if (!ok) overBudget.push(what)
  return ok ? 'within budget' : '**over budget**'
}

/** The pipeline's goals against the Flink job, at the deployed settings, when the job ran in this run. */
function pipelineGoals(): string[] {
  const deployed = pipeline.find((w) => w.way === 'lambda-deployed')
  const flink = pipeline.find((w) => w.way === 'flink')
  if (deployed === undefined || flink === undefined) {
    return [
      'The Flink job did not run in this round of measurements: `npm run bench -- --flink` compares against it.',
    ]
  }
  const startToAll = deployed.startToAllRate.median / flink.startToAllRate.median
  const steady = deployed.steadyRate.median / flink.steadyRate.median
  return [
    `- At the deployed settings, start → all records: ${startToAll.toFixed(2)} x the Flink job's (goal ≥ 1.0): ${check(startToAll >= 1, `pipeline start → all: ${startToAll.toFixed(2)} x the Flink job`)}.`,
    `- Steady rate: ${steady.toFixed(2)} x the Flink job's (goal ≥ 0.5): ${check(steady >= 0.5, `pipeline steady rate: ${steady.toFixed(2)} x the Flink job`)}.`,
  ]
}

const lines: string[] = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, kafkajs ${version('kafkajs')}, Kafka broker 3.9.2 on 127.0.0.1, @aws-lambda-powertools/kafka ${version('@aws-lambda-powertools/kafka')}. Each figure: median (min-max, ±half the spread) over ${ROUNDS}+ rounds after a warm-up.`,
  '',
  '## 1. Processor hot path (records/s, no network)',
  '',
  ...hotPathTables(hot, check),
  '',
  '## 2. Processor end to end on the local broker (records/s, all acknowledged)',
  '',
  '| records | ours (processMskEvent + KafkajsSink) | bare kafkajs producer, same messages, acks=all | ours / bare | budget (≥ 0.9) | the sink alone, sending the processed messages | sink alone / bare |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  `| ${fmt(e2e.records)} | ${show(e2e.ours)} | ${show(e2e.bare)} | ${(e2e.ours.median / e2e.bare.median).toFixed(2)} | ${check(e2e.ours.median / e2e.bare.median >= 0.9, `end to end: ${(e2e.ours.median / e2e.bare.median).toFixed(2)} x bare kafkajs`)} | ${show(e2e.sinkOnly)} | ${(e2e.sinkOnly.median / e2e.bare.median).toFixed(2)} |`,
  '',
  '## 2b. Processor handler cost per record, as deployed',
  '',
  "The handler in functions/processor.ts (middy, Logger, Metrics flushed as EMF) in a fresh process per size, on records carrying the producer's trace headers, against a bare kafkajs producer sending the same messages to the same broker (idempotent, acks=all), taking turns. Microseconds per record, from the invocation to its return. The budget is against kafkajs's default producer; the last columns send with the sink's partitioner instead (it remembers each key's partition rather than hashing every record), which shows the handler's cost beyond the send alone.",
  '',
  "| records per event | handler (µs/record) | bare kafkajs send (µs/record) | handler / bare, per round | budget at 500 (≤ 1.2 x bare) | bare send, the sink's partitioner (µs/record) | handler / that |",
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...handlerCost.map(
    (c) =>
      `| ${fmt(c.records)} | ${show(c.handlerUs, 1)} | ${show(c.bareUs, 1)} | ${show(c.ratio, 2)} | ${c.records === 500 ? check(c.ratio.median <= 1.2, `handler at 500 records: ${c.ratio.median.toFixed(2)} x bare kafkajs send`) : ''} | ${show(c.rememberingUs, 1)} | ${show(c.ratioRemembering, 2)} |`,
  ),
  '',
  '## 3. Producer invocation, warm (one batch of 17 records, acknowledged)',
  '',
  `Time: ${show(producer.ms, 2)} ms. Heap growth per invocation: ${show({ ...producer.heapBytes, median: producer.heapBytes.median / 1024, min: producer.heapBytes.min / 1024, max: producer.heapBytes.max / 1024 }, 1)} KiB.`,
  '',
  '## 4. Cold start: bundle size and module init in a fresh Node process',
  '',
  ...coldStartTable(cold, check),
  '',
  '## 5. Memory: peak RSS of the processor on a 10,000-record event',
  '',
  `Peak RSS ${show(memory.peakMb, 1)} MB in a fresh process (${show(memory.baselineMb, 1)} MB before the event, with the broker connection and test tooling loaded).`,
  '',
  `## 6. The pipeline against the Flink job: ${fmt(Number(options['pipeline-records']))} records of the original producer, 2-partition source`,
  '',
  "Each way starts with the records already on the source topic and is timed by polling the sink topic's end offsets; the ways take turns round by round on the same broker.",
  '',
  ...pipelineTable(pipeline, Number(options['pipeline-records'])),
  '',
  "## 7. Latency and cost: the producer's send to the record on the sink, by batching settings",
  '',
  "The real handler behind the local mapping, one worker per partition, fresh 2-partition topics per row. Latency: when a reader of the sink fetched the record minus when the producer started sending it. Cost: Lambda's arm64 price for the invocations and their durations at 256 MB (bench/lambda-cost.ts: durations measured on a full core, stretched to 256 MB's share of one; an upper bound). Budget: p99 under 2 s at the original's cadence with the deployed settings.",
  '',
  ...latencyTable(latency, (l) =>
    l.deployed && l.scenario === 'cadence'
      ? check(l.p99Ms < 2_000, `latency p99 at the cadence: ${fmt(l.p99Ms)} ms`)
      : '',
  ),
  '',
  '## Goals',
  '',
  ...pipelineGoals(),
  '',
  '## Over budget',
  '',
  ...(overBudget.length === 0 ? ['Nothing.'] : overBudget.map((what) => `- ${what}`)),
  '',
]
const explanation = readFileSync(`${PROJECT_DIR}bench/NOTES.md`, 'utf8')
writeFileSync(`${PROJECT_DIR}bench/RESULTS.md`, `${lines.join('\n')}\n${explanation}`)
// Aligned tables, as the formatter the lint step runs wants them.
spawnSync(`${PROJECT_DIR}node_modules/.bin/biome`, ['format', '--write', 'bench/RESULTS.md'], {
  cwd: PROJECT_DIR,
  stdio: 'ignore',
})
console.log(lines.join('\n'))
if (overBudget.length > 0) {
  console.error(`\n${overBudget.length} figure(s) over budget: see bench/RESULTS.md`)
  process.exitCode = 1
}
