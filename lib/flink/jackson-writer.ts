import { javaDoubleToString } from './java-double.js'
import type { JsonValue } from './json-row-reader.js'

/**
 * JSON text as Flink's sink wrote it: `ObjectMapper.writeValueAsBytes`, which uses Jackson's
 * UTF8JsonGenerator with its defaults (CharTypes' output escapes):
 *
 * - `"` and `\` escaped; U+0008, U+0009, U+000A, U+000C, U+000D as `\b \t \n \f \r`; every other control
 *   character below U+0020 as `\u00XX`, hex in upper case (WRITE_HEX_UPPER_CASE);
 * - every UTF-16 surrogate, paired or not, as its own `\uXXXX` escape: COMBINE_UNICODE_SURROGATES_IN_UTF8
 *   is off, so an emoji becomes `\uD83D\uDE00` rather than four UTF-8 bytes;
 * - everything else, DEL and U+2028 included, as UTF-8;
 * - a double with Java's Double.toString; NaN and the infinities as strings (WRITE_NAN_AS_STRINGS).
 *
 * The returned strings hold no surrogates, so encoding them as UTF-8 gives Flink's bytes.
 */

const HEX = '0123456789ABCDEF'
const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
}

function unicodeEscape(code: number): string {
  return `\\u${HEX[(code >> 12) & 15]}${HEX[(code >> 8) & 15]}${HEX[(code >> 4) & 15]}${HEX[code & 15]}`
}

/** Printable ASCII without `"` or `\`: written as it is by both of Jackson's generators. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

function quote(text: string, escapeSurrogates: boolean): string {
  if (PLAIN.test(text)) return `"${text}"`
  let out = '"'
  let runStart = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    let escaped: string | undefined
    if (code < 0x20 || code === 0x22 || code === 0x5c) escaped = SHORT_ESCAPES[code] ?? unicodeEscape(code)
    else if (escapeSurrogates && code >= 0xd800 && code <= 0xdfff) escaped = unicodeEscape(code)
    if (escaped === undefined) continue
    out += text.slice(runStart, i) + escaped
    runStart = i + 1
  }
  return `${out}${text.slice(runStart)}"`
}

/** A JSON string as Flink's sink (UTF8JsonGenerator) writes it. */
export function jacksonString(text: string): string {
  return quote(text, true)
}

/** A DOUBLE as Flink's sink writes it. */
export function jacksonDouble(value: number): string {
  if (Number.isFinite(value)) return javaDoubleToString(value)
  return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"'
}

/**
 * A tree's `JsonNode.toString()` (Jackson writes it through a WriterBasedJsonGenerator, which leaves
 * non-ASCII characters, surrogates included, unescaped): what Flink puts in a VARCHAR column when the JSON
 * holds an object or an array there. Integers print as Java integers (`-0` is `0`), other numbers as
 * doubles, an object's repeated name once, in its first place, with its last value.
 */
export function jacksonTreeText(value: JsonValue): string {
  switch (value.kind) {
    case 'string':
      return quote(value.text, false)
    case 'number':
      if (!value.float) return value.text === '-0' ? '0' : value.text
      return jacksonDouble(Number(value.text))
    case 'object':
      return `{${[...value.entries].map(([name, item]) => `${quote(name, false)}:${jacksonTreeText(item)}`).join(',')}}`
    case 'array':
      return `[${value.items.map(jacksonTreeText).join(',')}]`
    default:
      return value.kind
  }
}
