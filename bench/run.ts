/**
 * `npm run bench`: every figure measured beside its reference in the same run, several rounds, median and
 * spread, written to bench/RESULTS.md with the machine and versions; figures over budget are listed last
 * (and make the command exit 1). Needs the local broker, which it starts if it is not running.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { benchColdStart } from './cold-start.js'
import { benchEndToEnd, benchProducer } from './e2e.js'
import { benchHotPath } from './hot-path.js'
import { benchMemory } from './memory.js'
import { fmt, type Measurement } from './stats.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const PROJECT_DIR = new URL('..', import.meta.url).pathname
const kafkaScript = `${PROJECT_DIR}scripts/kafka/kafka.sh`
const brokerWasRunning = spawnSync(kafkaScript, ['status'], { stdio: 'ignore' }).status === 0
if (!brokerWasRunning && spawnSync(kafkaScript, ['start'], { stdio: 'inherit' }).status !== 0) process.exit(1)

const show = (m: Measurement, digits = 0) =>
  `${fmt(m.median, digits)} (${fmt(m.min, digits)}-${fmt(m.max, digits)}, ±${fmt(m.spreadPct / 2)}%)`
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
if (!brokerWasRunning) spawnSync(kafkaScript, ['stop'], { stdio: 'inherit' })

const overBudget: string[] = []
const check = (ok: boolean, what: string) => {
  if (!ok) overBudget.push(what)
  return ok ? 'within budget' : '**over budget**'
}

const lines: string[] = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, kafkajs ${version('kafkajs')}, Kafka broker 3.9.2 on 127.0.0.1, @aws-lambda-powertools/kafka ${version('@aws-lambda-powertools/kafka')}. Each figure: median (min-max, ±half the spread) over ${ROUNDS}+ rounds after a warm-up.`,
  '',
  '## 1. Processor hot path (records/s, no network)',
  '',
  '| records | ours | bare limit (base64 + JSON.parse + JSON.stringify) | ours / bare | Powertools Kafka consumer | ours / Powertools | budget (≥ 0.7 x bare, > Powertools) | ours, records with trace headers, tracing off | headers / bare | ours, same records, tracing on (sampled, sent to UDP) | traced / bare |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...hot.map((h) => {
    const toBare = h.ours.median / h.bare.median
    const toPeer = h.ours.median / h.powertools.median
    return `| ${fmt(h.records)} | ${show(h.ours)} | ${show(h.bare)} | ${toBare.toFixed(2)} | ${show(h.powertools)} | ${toPeer.toFixed(2)} | ${check(toBare >= 0.7 && toPeer > 1, `hot path at ${h.records} records: ${toBare.toFixed(2)} x bare, ${toPeer.toFixed(2)} x Powertools`)} | ${show(h.withHeaders)} | ${(h.withHeaders.median / h.bare.median).toFixed(2)} | ${show(h.traced)} | ${(h.traced.median / h.bare.median).toFixed(2)} |`
  }),
  '',
  '## 2. Processor end to end on the local broker (records/s, all acknowledged)',
  '',
  '| records | ours (processMskEvent + KafkajsSink) | bare kafkajs producer, same messages, acks=all | ours / bare | budget (≥ 0.9) | the sink alone, sending the processed messages | sink alone / bare |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  `| ${fmt(e2e.records)} | ${show(e2e.ours)} | ${show(e2e.bare)} | ${(e2e.ours.median / e2e.bare.median).toFixed(2)} | ${check(e2e.ours.median / e2e.bare.median >= 0.9, `end to end: ${(e2e.ours.median / e2e.bare.median).toFixed(2)} x bare kafkajs`)} | ${show(e2e.sinkOnly)} | ${(e2e.sinkOnly.median / e2e.bare.median).toFixed(2)} |`,
  '',
  '## 3. Producer invocation, warm (one batch of 17 records, acknowledged)',
  '',
  `Time: ${show(producer.ms, 2)} ms. Heap growth per invocation: ${show({ ...producer.heapBytes, median: producer.heapBytes.median / 1024, min: producer.heapBytes.min / 1024, max: producer.heapBytes.max / 1024 }, 1)} KiB.`,
  '',
  '## 4. Cold start: bundle size and module init in a fresh Node process',
  '',
  '| function | bundle (minified, as deployed) | init, bundled (ms) | init, unbundled from node_modules (ms) | budget (< 300 KB, < 150 ms) |',
  '| --- | --- | --- | --- | --- |',
  ...cold.map(
    (c) =>
      `| ${c.fn} | ${fmt(c.bundleBytes / 1024)} KB | ${show(c.bundledInitMs)} | ${show(c.unbundledInitMs)} | ${check(c.bundleBytes < 300 * 1024, `${c.fn} bundle: ${fmt(c.bundleBytes / 1024)} KB`)}, ${check(c.bundledInitMs.median < 150, `${c.fn} init: ${fmt(c.bundledInitMs.median)} ms`)} |`,
  ),
  '',
  '## 5. Memory: peak RSS of the processor on a 10,000-record event',
  '',
  `Peak RSS ${show(memory.peakMb, 1)} MB in a fresh process (${show(memory.baselineMb, 1)} MB before the event, with the broker connection and test tooling loaded).`,
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
