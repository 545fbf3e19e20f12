import type { Rejection } from './reasons.js'
import type { Stock } from './stock.js'

/**
 * How the processor reads `stocks-in` (`validation`): `strict` checks every record against the rules
 * (lib/stocks/stock.ts); `flink`, which only the flink format offers, writes what the Flink job wrote.
 */
export type ValidationMode = 'strict' | 'flink'
export const VALIDATION_MODES: readonly ValidationMode[] = ['strict', 'flink']

/** A source value: its bytes, or (the usual case) its text when the bytes are plain ASCII; null for none. */
export type SourceValue = Uint8Array | string | null

/** A sink record's key and value. */
export interface Written {
  readonly key: string
  readonly value: string
}

export type ReadResult =
  /** The stocks the value holds (one, or with `flink` one per object of an array). */
  | { readonly ok: true; readonly stocks: readonly Stock[] }
  /** What the format writes for the value as it read it, the rules not applied (validation `flink`). */
  | { readonly ok: true; readonly written: readonly Written[] }
  | ({ readonly ok: false } & Rejection)

/**
 * A sink format (the `sinkFormat` param): how a source value is read into stocks, and how a stock is
 * written to the sink. One setting chooses it for the whole pipeline.
 */
export interface StockFormat {
  /** The validation modes it offers; `strict` always. */
  readonly validations: readonly ValidationMode[]
  read(value: SourceValue, validation: ValidationMode): ReadResult
  write(stock: Stock): Written
}
