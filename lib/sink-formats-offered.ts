/**
 * The sink formats on offer, each on one line: a team that does not need the Flink job's bytes deletes
 * lib/flink/ and its line here (docs/adapting.md).
 */
export { flinkFormat as flink } from './flink/format.js'
export { jsonFormat as json } from './stocks/json-format.js'
