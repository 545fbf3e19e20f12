import * as OFFERED from './sink-formats-offered.js'
import type { StockFormat } from './stocks/format.js'

/** The sink formats on offer (the `sinkFormat` param, SINK_FORMAT), by name; the names in alphabetical order. */
export const SINK_FORMATS: Readonly<Record<string, StockFormat>> = OFFERED
export const SINK_FORMAT_NAMES: readonly string[] = Object.keys(OFFERED)

/** The Flink job's format, as the original pipeline wrote, when it is on offer; plain JSON otherwise. */
export const DEFAULT_SINK_FORMAT: string = 'flink' in OFFERED ? 'flink' : 'json'
