/**
 * `Double.parseDouble(text.trim())`, as Flink's JSON format reads a DOUBLE column from anything but a JSON
 * float (JsonParserToRowDataConverters.convertToDouble). Java's grammar (FloatingDecimal.
 * readJavaFormatString): after String.trim() (every char <= U+0020 off both ends), an optional sign, then
 * `NaN`, `Infinity`, a hexadecimal float `0x1.8p1`, or decimal digits with at most one point and an
 * optional exponent; an optional `f`, `F`, `d` or `D` may end it. Undefined where Java throws
 * NumberFormatException. Both languages round correctly to nearest, ties to even, so the decimal form
 * goes through `Number`.
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?$/
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?|([0-9a-fA-F]*)\.([0-9a-fA-F]+))[pP]([+-]?\d+)[fFdD]?$/

/** Java's String.trim(): code units up to U+0020 off both ends (JavaScript's trim is Unicode-aware). */
export function javaTrim(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && text.charCodeAt(start) <= 0x20) start++
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--
  return start === 0 && end === text.length ? text : text.slice(start, end)
}

export function javaParseDouble(input: string): number | undefined {
  const text = javaTrim(input)
  const unsigned = text[0] === '+' || text[0] === '-' ? text.slice(1) : text
  if (unsigned === 'NaN') return Number.NaN
  if (unsigned === 'Infinity') return text[0] === '-' ? -Infinity : Infinity
  if (DECIMAL.test(text)) {
    const last = text.charCodeAt(text.length - 1)
    // A digit or a point ends it, unless the f/F/d/D suffix does.
    return Number(last >= 0x30 && last <= 0x39 ? text : last === 0x2e ? text : text.slice(0, -1))
  }
  const hex = HEX.exec(text)
  return hex === null ? undefined : parseHexDouble(hex)
}

/** A hexadecimal float rounded to the nearest double, ties to even, subnormals included. */
function parseHexDouble([, sign, whole, before, after, exponent]: RegExpExecArray): number {
  const integerDigits = whole ?? before ?? ''
  const fractionDigits = after ?? ''
  const negative = sign === '-'
  const mantissa = BigInt(`0x0${integerDigits}${fractionDigits}`)
  if (mantissa === 0n) return negative ? -0 : 0
  // The exponent may be far outside a double's; past these bounds the answer is 0 or Infinity anyway.
  const power = Math.max(-100_000, Math.min(100_000, Number(exponent))) - 4 * fractionDigits.length
  const bits = mantissa.toString(2).length
  const topExponent = bits - 1 + power
  let magnitude: number
  if (topExponent > 1023) {
    magnitude = Infinity
  } else {
    // Keep 53 significant bits, or fewer below the normal range, where the last bit is worth 2^-1074.
    const drop = topExponent >= -1022 ? bits - 53 : -1074 - power
    const kept = drop > 0 ? roundHalfEven(mantissa, BigInt(drop)) : mantissa
    magnitude = scaleByPowerOfTwo(Number(kept), power + Math.max(drop, 0))
  }
  return negative ? -magnitude : magnitude
}

function roundHalfEven(value: bigint, drop: bigint): bigint {
  const quotient = value >> drop
  const remainder = value - (quotient << drop)
  const half = 1n << (drop - 1n)
  if (remainder > half || (remainder === half && (quotient & 1n) === 1n)) return quotient + 1n
  return quotient
}

/** value * 2^power without an intermediate power of two under- or overflowing. */
function scaleByPowerOfTwo(value: number, power: number): number {
  let result = value
  let remaining = power
  while (remaining > 1000) {
    result *= 2 ** 1000
    remaining -= 1000
  }
  while (remaining < -1000) {
    result *= 2 ** -1000
    remaining += 1000
  }
  return result * 2 ** remaining
}
