import type { ColdStartResult } from './cold-start.js'
import type { HotPathResult } from './hot-path.js'
import { costPerMillionRecords } from './lambda-cost.js'
import type { LatencyResult } from './latency.js'
import type { PipelineWayResult } from './pipeline.js'
import { fmt, type Measurement } from './stats.js'

/** A figure as the tables give it: median (min-max, ±half the spread). */
export const show = (m: Measurement, digits = 0) =>
  `${fmt(m.median, digits)} (${fmt(m.min, digits)}-${fmt(m.max, digits)}, ±${fmt(m.spreadPct / 2)}%)`

/** The ways side by side. */
export function pipelineTable(results: readonly PipelineWayResult[], records: number): string[] {
  return [
    `| way | steady rate (10-90%, rec/s) | start → all ${fmt(records)} on the sink (rec/s) | first record after start (s) | invocations |`,
    '| --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.label} | ${show(r.steadyRate)} | ${show(r.startToAllRate)} | ${show(r.firstRecordS, 2)} | ${r.invocations === undefined ? '' : show(r.invocations)} |`,
    ),
  ]
}

const settingsOf = (r: LatencyResult) =>
  `${fmt(r.mapping.batchSize)} / ${fmt(r.mapping.maximumBatchingWindowMs / 1000, 1)} s${r.deployed ? ' (deployed)' : ''}`

/** Latency and cost per scenario and settings; `budget`, when given, adds a last column. */
export function latencyTable(
  results: readonly LatencyResult[],
  budget?: (result: LatencyResult) => string,
): string[] {
  return [
    `| batch size / window | records sent | records | invocations | records per invocation | p50 (ms) | p99 (ms) | max (ms) | $ per million records${budget === undefined ? '' : ' | budget'} |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | ---${budget === undefined ? '' : ' | ---'} |`,
    ...results.map(
      (r) =>
        `| ${settingsOf(r)} | ${r.label} | ${fmt(r.records)} | ${fmt(r.invocations)} | ${fmt(r.records / Math.max(1, r.invocations), 1)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.maxMs)} | ${costPerMillionRecords(r).toFixed(4)}${budget === undefined ? '' : ` | ${budget(r)}`} |`,
    ),
  ]
}

/** Marks a figure within or over its budget, and remembers what was over (run.ts lists them last). */
export type Check = (ok: boolean, what: string) => string

/** Section 1: the hot path against its references, then on records carrying trace headers, tracing off and on. */
export function hotPathTables(hot: readonly HotPathResult[], check: Check): string[] {
  return [
    '| records | ours | bare limit (base64 + JSON.parse + JSON.stringify) | ours / bare | Powertools Kafka consumer | ours / Powertools | budget (≥ 0.7 x bare, > Powertools) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...hot.map((h) => {
      const toBare = h.ours.median / h.bare.median
      const toPeer = h.ours.median / h.powertools.median
      return `| ${fmt(h.records)} | ${show(h.ours)} | ${show(h.bare)} | ${toBare.toFixed(2)} | ${show(h.powertools)} | ${toPeer.toFixed(2)} | ${check(toBare >= 0.7 && toPeer > 1, `hot path at ${h.records} records: ${toBare.toFixed(2)} x bare, ${toPeer.toFixed(2)} x Powertools`)} |`
    }),
    '',
    'The same records as a traced producer writes them, each carrying `traceparent`, which the processor carries on to its sink records:',
    '',
    '| records | ours, tracing off | bare limit, each header byte read too | ours / bare | budget (≥ 0.7 x bare) | ours, tracing on (sampled, spans sent as OTLP over UDP) | traced / bare | traced / tracing off |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...hot.map((h) => {
      const toBare = h.withHeaders.median / h.bareWithHeaders.median
      return `| ${fmt(h.records)} | ${show(h.withHeaders)} | ${show(h.bareWithHeaders)} | ${toBare.toFixed(2)} | ${check(toBare >= 0.7, `hot path with trace headers at ${h.records} records: ${toBare.toFixed(2)} x bare`)} | ${show(h.traced)} | ${(h.traced.median / h.bareWithHeaders.median).toFixed(2)} | ${(h.traced.median / h.withHeaders.median).toFixed(2)} |`
    }),
  ]
}

/** Section 4: each function's bundle and module init, tracing off and on. */
export function coldStartTable(cold: readonly ColdStartResult[], check: Check): string[] {
  return [
    '| function | bundle (minified, as deployed) | init, bundled (ms) | init, bundled, tracing on (ms) | init, unbundled from node_modules (ms) | budget (< 300 KB, < 100 ms) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...cold.map((c) => {
      const init = Math.max(c.bundledInitMs.median, c.tracedInitMs.median)
      return `| ${c.fn} | ${fmt(c.bundleBytes / 1024)} KB | ${show(c.bundledInitMs)} | ${show(c.tracedInitMs)} | ${show(c.unbundledInitMs)} | ${check(c.bundleBytes < 300 * 1024, `${c.fn} bundle: ${fmt(c.bundleBytes / 1024)} KB`)}, ${check(init < 100, `${c.fn} init: ${fmt(init)} ms`)} |`
    }),
  ]
}
