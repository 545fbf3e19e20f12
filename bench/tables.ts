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
