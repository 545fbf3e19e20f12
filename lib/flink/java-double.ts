/**
 * Java 17's `Double.toString(double)`, character for character.
 *
 * The Flink job wrote prices with Jackson, which prints a DOUBLE with `Double.toString`. On Java 17 that is
 * `jdk.internal.math.FloatingDecimal.toJavaFormatString`: `getBinaryToASCIIConverter` unpacks the bits,
 * `BinaryToASCIIBuffer.dtoa` develops the digits and `BinaryToASCIIBuffer.getChars` lays them out. That
 * algorithm (Steele & White's, from 1996) is not the shortest-digits one JDK 19 brought (and JavaScript
 * has): it prints e.g. 1e23 as `9.999999999999999E22` and 2^60 as `1.15292150460684698E18`, so
 * `String(x)` cannot stand in for it. This is a port of the OpenJDK 17u source
 * (src/java.base/share/classes/jdk/internal/math/FloatingDecimal.java and FDBigInteger.java); the names
 * below are the Java ones, so each step can be read next to the original.
 *
 * Two implementations live here:
 * - `javaDoubleToStringReference`: the plain port. Java's `int` and `long` arithmetic is done with BigInt
 *   wrapped to 32 or 64 bits (`BigInt.asIntN`), so its overflows happen exactly where Java's do, and
 *   FDBigInteger is BigInt. Slow (microseconds); the tests hold the fast one to it.
 * - `javaDoubleToString`: the same steps without BigInt for 1e-3 <= |x| < 2^53 or so, prices among them:
 *   the integer case in doubles, and Java's `long` digit loop with each long held exactly as two doubles.
 *   The rest goes to the reference port: the FDBigInteger path (most doubles below 1e-3 or from about
 *   1e16 up), whole numbers of 2^53 and more, and the rare long overflows not followed here. On prices
 *   with two decimals it is about as fast as `String(x)` (some 85 ns a call where it was written).
 */

/** `FloatingDecimal.BinaryToASCIIBuffer.N_5_BITS`: approximately ceil(log2(5^i)). */
const N_5_BITS = [
  0, 3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, 31, 33, 35, 38, 40, 42, 45, 47, 49, 52, 54, 56, 59, 61,
] as const

/** `BinaryToASCIIBuffer.insignificantDigitsNumber`: the number of decimal digits of 2^i, less one. */
const INSIGNIFICANT_DIGITS_NUMBER = [
  0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 9, 10,
  10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 17, 17, 17, 18, 18,
  18, 19,
] as const

/** FloatingDecimal's constants. */
const EXP_SHIFT = 52
const EXP_BIAS = 1023
const MAX_SMALL_BIN_EXP = 62
const MIN_SMALL_BIN_EXP = -21
/** `FDBigInteger.LONG_5_POW.length`. */
const LONG_5_POW_LENGTH = 27

const TWO32 = 4294967296
const TWO53 = 9007199254740992
const CHAR_0 = 48
const CHAR_9 = 57

/** 5^i, 2^i and 10^i as doubles: exact for 5^0..5^22, 10^0..10^22 and every 2^i used here. */
const POW5: number[] = []
const POW2: number[] = []
const POW10: number[] = []
for (let i = 0, p = 1; i < LONG_5_POW_LENGTH; i++, p *= 5) POW5.push(p)
for (let i = 0, p = 1; i < 128; i++, p *= 2) POW2.push(p)
for (let i = 0; i <= 22; i++) POW10.push(Number(`1e${i}`))
const POW5_EXACT = 22

/** `FDBigInteger.LONG_5_POW` (and `SMALL_5_POW`, its first 14) as BigInt, for the reference port. */
const LONG_5_POW_BIG: bigint[] = []
for (let i = 0, p = 1n; i < LONG_5_POW_LENGTH; i++, p *= 5n) LONG_5_POW_BIG.push(p)

const pow5 = (i: number): number => POW5[i] ?? Number.NaN
const pow2 = (i: number): number => POW2[i] ?? Number.NaN
const pow10 = (i: number): number => POW10[i] ?? Number.NaN
const n5Bits = (i: number): number => (i < N_5_BITS.length ? (N_5_BITS[i] ?? 0) : i * 3)
const long5Pow = (i: number): bigint => LONG_5_POW_BIG[i] ?? 0n

/** The raw bits of a double, read through a shared buffer (the words' order follows the platform's). */
const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)
f64[0] = 1
const HI = u32[1] === 0x3ff00000 ? 1 : 0
const LO = 1 - HI

/**
 * The digits being developed: FloatingDecimal's `char[] digits` (20 long), `firstDigitIndex`, `nDigits` and
 * `decExponent`. Characters, not digit values, because Java stores `(char)('0' + q)` and rounds and formats
 * those; module state because a call never re-enters and allocating per call would cost more than the work.
 */
const digits = new Uint16Array(20)
let firstDigitIndex = 0
let nDigits = 0
let decExponent = 0

// ---------------------------------------------------------------------------------------------------------
// The fast port.
// ---------------------------------------------------------------------------------------------------------

/**
 * `Double.toString(value)` as Java 17 prints it: `NaN`, `Infinity`, `-0.0`, `41.72`, `1.0E7`, `4.9E-324`.
 * Plain notation for 1e-3 <= |value| < 1e7 (at least one digit after the point), `d.dddE±n` otherwise.
 */
export function javaDoubleToString(value: number): string {
  // FloatingDecimal.getBinaryToASCIIConverter(double): the exceptional values and the zeros first.
  if (Number.isNaN(value)) return 'NaN'
  if (value === 0) return 1 / value < 0 ? '-0.0' : '0.0'
  if (value === Number.POSITIVE_INFINITY) return 'Infinity'
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity'
  // A whole number below 10^7 in magnitude takes dtoa's integer case, which gives its digits and ".0".
  if ((value | 0) === value && value < 1e7 && value > -1e7) return `${value}.0`
  f64[0] = value
  const hi = u32[HI] ?? 0
  const lo = u32[LO] ?? 0
  const negative = hi >>> 31 === 1
  let binExp = (hi >>> 20) & 0x7ff
  const fractHi = hi & 0xfffff
  let fractBits: number
  let nSignificantBits: number
  if (binExp === 0) {
    // A subnormal: normalise so the high-order bit is at bit 52, as Long.numberOfLeadingZeros does there.
    const leadingZeros = fractHi !== 0 ? Math.clz32(fractHi) : 32 + Math.clz32(lo)
    const shift = leadingZeros - (63 - EXP_SHIFT)
    fractBits = (fractHi * TWO32 + lo) * pow2(shift)
    binExp = 1 - shift
    nSignificantBits = 64 - leadingZeros
  } else {
    fractBits = (fractHi | 0x100000) * TWO32 + lo
    nSignificantBits = EXP_SHIFT + 1
  }
  binExp -= EXP_BIAS
  // fractBits < 2^53 here, so it is exact in a double from now on.
  // Long.numberOfTrailingZeros(fractBits), from the words (a subnormal's shift adds to it).
  let tailZeros = lo !== 0 ? ctz32(lo) : fractHi !== 0 ? 32 + ctz32(fractHi) : EXP_SHIFT
  if (nSignificantBits !== EXP_SHIFT + 1) tailZeros += EXP_SHIFT + 1 - nSignificantBits
  const developed = dtoa(binExp, fractBits, nSignificantBits, tailZeros)
  if (developed === DIGITS_VALUE) return layOut(negative, digitsValue, nDigits, decExponent)
  if (developed === DIGITS) return getChars(negative, digits, firstDigitIndex, nDigits, decExponent)
  return javaDoubleToStringReference(value)
}

/**
 * What `dtoa` did: developed the digits (as characters, or as the value of at most 15 of them), or left the
 * work to the reference port.
 */
const DIGITS = 0
const DIGITS_VALUE = 1
const NEEDS_REFERENCE = 2
type Developed = typeof DIGITS | typeof DIGITS_VALUE | typeof NEEDS_REFERENCE

/** The digits as one number, for DIGITS_VALUE: nDigits of them, the first not zero. */
let digitsValue = 0

/**
 * `BinaryToASCIIBuffer.dtoa(binExp, fractBits, nSignificantBits, isCompatibleFormat = true)` for the cases
 * that need no BigInt. Leaves the digits in the module state; says NEEDS_REFERENCE where the reference
 * port must do the work.
 */
function dtoa(binExp: number, fractBits: number, nSignificantBits: number, tailZeros: number): Developed {
  // The number of significant bits of fractBits, and of those, how many are right of the binary point.
  const nFractBits = EXP_SHIFT + 1 - tailZeros
  const nTinyBits = Math.max(0, nFractBits - binExp - 1)
  if (binExp <= MAX_SMALL_BIN_EXP && binExp >= MIN_SMALL_BIN_EXP && nTinyBits === 0) {
    // The integer case ("nTinyBits == 0"; its enclosing test always holds then): the value is a whole
    // number below 2^63, developed exactly by developLongDigits, dropping `insignificant` low digits.
    if (binExp > EXP_SHIFT) return NEEDS_REFERENCE // 2^53 and up: beyond a double's exact integers
    const lvalue = fractBits / pow2(EXP_SHIFT - binExp) // `fractBits >>>= (EXP_SHIFT-binExp)`, exact
    // binExp <= 52 < nSignificantBits here, so `insignificant` is 0 and the digits are the integer's own.
    developLongDigits(lvalue)
    return DIGITS
  }

  // The hard case, in FloatingDecimal's words: B / S * 10^decExp is the value, 1 <= B / S < 10, and M is
  // half an ULP scaled like B; digits come from dividing B by S, stopping when the remainder is within M.
  let decExp = estimateDecExp(fractBits, binExp)
  const B5 = Math.max(0, -decExp)
  let B2 = B5 + nTinyBits + binExp
  const S5 = Math.max(0, decExp)
  let S2 = S5 + nTinyBits
  const M5 = B5
  let M2 = B2 - nSignificantBits
  const f = fractBits / pow2(tailZeros) // fractBits >>>= tailZeros
  B2 -= nFractBits - 1
  const common2factor = Math.min(B2, S2)
  B2 -= common2factor
  S2 -= common2factor
  M2 -= common2factor
  // FloatingDecimal's "HACK!! For exact powers of two": the gap below is half the gap above.
  if (nFractBits === 1) M2 -= 1
  if (M2 < 0) {
    B2 -= M2
    S2 -= M2
    M2 = 0
  }
  const Bbits = nFractBits + B2 + n5Bits(B5)
  const tenSbits = S2 + 1 + n5Bits(S5 + 1)
  if (Bbits >= 64 || tenSbits >= 64) return NEEDS_REFERENCE // FDBigInteger arithmetic: the reference port's
  // Java's "wa-hoo! They're all ints!" path needs Bbits < 32, which no double reaches: once M2 is made
  // non-negative, B2 >= nSignificantBits - nFractBits + 1, so Bbits >= nSignificantBits + 1 (54 for a
  // normal double), and a subnormal has B5 >= 308. The path is there for floats; the reference keeps it.
  if (Bbits < 32 && tenSbits < 32) return NEEDS_REFERENCE

  // "still good! they're all longs!". Each long is held as hi * 2^P + lo (0 <= lo < 2^P) in two doubles,
  // with P <= S2 so that s = 5^S5 << S2 and tens = 10 s have a zero low half: then `b % s` and `b / s`
  // work on the high halves alone, and the low half of b just moves up by the factor 10. b, s, tens and m
  // stay below 2^63 (Bbits and tenSbits < 64; m is checked), so with 14 <= P <= 49 every half is below
  // 2^49 and ten times it below 2^53: all of this is exact. Where Java's long arithmetic would wrap
  // around, only the common case is followed here (see "m might overflow!" below); the reference port
  // wraps like Java in every case.
  const P = Math.min(S2, 49)
  if (P < 14 || S5 + 1 > POW5_EXACT || M5 > POW5_EXACT) return NEEDS_REFERENCE
  const unit = pow2(P)
  const perUnit = 1 / unit // exact: a power of two
  const overflowH = pow2(63 - P) // 2^63, in units of 2^P
  const sh = pow5(S5) * pow2(S2 - P) // s = sh * 2^P
  const th = sh * 10 // tens = th * 2^P
  // b = (fractBits * LONG_5_POW[B5]) << B2, split at 2^P.
  let bh: number
  let bl: number
  const p5 = pow5(B5)
  const product = f * p5
  if (product < TWO53) {
    // Exact, and shifting by a power of two keeps it so.
    const v = product * pow2(B2)
    bh = Math.floor(v / unit)
    bl = v - bh * unit
  } else if (p5 < 2097152) {
    // Wider than 53 bits (prices below 1 come here): fractBits in 26-bit halves, each times 5^B5 (< 2^21).
    const fl = f % 67108864
    const v1 = ((f - fl) / 67108864) * p5 * pow2(26 + B2)
    const v0 = fl * p5 * pow2(B2)
    const h1 = Math.floor(v1 / unit)
    const h0 = Math.floor(v0 / unit)
    bh = h1 + h0
    bl = v1 - h1 * unit + (v0 - h0 * unit)
    if (bl >= unit) {
      bl -= unit
      bh++
    }
  } else {
    return NEEDS_REFERENCE
  }
  // m = LONG_5_POW[M5] << M2: exact, as 5^M5 < 2^53.
  const md = pow5(M5) * pow2(M2)
  let mh = Math.floor(md / unit)
  let ml = md - mh * unit

  let ndigit = 0
  let low = false
  let high = false
  let q: number
  // The digits so far as a number too, for laying them out (exact while there are at most 15).
  let value = 0
  // The first iteration is unrolled: "If our decExp estimate was too high, our first quotient will be
  // zero. In this case, we discard it and decrement decExp." The loop is Java's while (!low && !high).
  for (let first = true; first || (!low && !high); first = false) {
    // q = (int)(b / s); b = 10L * (b % s)
    // (Not `%`, which is fmod and slow: the quotient of two integers whose sum is below 2^53, as bh and sh
    // are, never rounds up to the next integer, so its floor is exact.)
    q = Math.floor(bh / sh)
    const r = bh - q * sh
    let t = bl * 10
    let carry = Math.floor(t * perUnit)
    bl = t - carry * unit
    bh = r * 10 + carry
    // m *= 10L
    t = ml * 10
    carry = Math.floor(t * perUnit)
    ml = t - carry * unit
    mh = mh * 10 + carry
    if (mh < overflowH) {
      // low = (b < m); high = (b + m > tens)
      low = bh < mh || (bh === mh && bl < ml)
      let sumL = bl + ml
      let sumH = bh + mh
      if (sumL >= unit) {
        sumL -= unit
        sumH++
      }
      if (sumH >= overflowH) return NEEDS_REFERENCE // Java's b + m wraps
      high = sumH > th || (sumH === th && sumL > 0)
    } else if (!first && mh < 2 * overflowH) {
      // "hack -- m might overflow!": 2^63 <= 10 m < 2^64 makes Java's m negative, and then it takes
      // low = high = true (this is how most doubles in [1e-3, 1e-2) stop). The first iteration has no
      // such test, and a wrap past 2^64 could leave m positive: both are the reference port's.
      low = true
      high = true
    } else {
      return NEEDS_REFERENCE
    }
    if (q > 9) return NEEDS_REFERENCE // a quotient Java asserts cannot happen: keep its odd character
    if (first && q === 0 && !high) {
      decExp--
    } else {
      digits[ndigit++] = CHAR_0 + q
      value = value * 10 + q
    }
    // "HACK! Java spec sez that we always have at least one digit after the . in either F- or E-form
    // output": in E-form, never stop after the first digit.
    if (first && (decExp < -3 || decExp >= 8)) high = low = false
  }
  decExponent = decExp + 1
  firstDigitIndex = 0
  nDigits = ndigit
  // The last digit is rounded by how the loop stopped: up if only the upper bound was reached; if both
  // were, to the nearer, a tie (2b == tens, i.e. lowDigitDifference == 0) going to the even digit.
  let up = high
  if (high && low) {
    // The sign of lowDigitDifference = (b << 1) - tens, exact in Java (0 <= b < tens < 2^63); here the
    // sum of two exact doubles, which rounds to a number of the same sign.
    const lowDigitDifference = (2 * bh - th) * unit + 2 * bl
    up = lowDigitDifference > 0 || (lowDigitDifference === 0 && ((digits[ndigit - 1] ?? 0) & 1) !== 0)
  }
  if (ndigit <= 15 && value >= pow10(ndigit - 1)) {
    // Lay the digits out from their value: what roundup() does to the characters, done to the number.
    if (up) {
      value++
      // "carryout! High-order 1, rest 0s, larger exp.": the count of digits stays, so the zeros print.
      if (value === pow10(ndigit)) {
        value = pow10(ndigit - 1)
        decExponent++
      }
    }
    digitsValue = value
    return DIGITS_VALUE
  }
  if (up) roundup(digits, 0, nDigits)
  return DIGITS
}

/**
 * `developLongDigits(0, lvalue, 0)` for a whole number below 2^53: its digits without trailing zeros, and
 * decExponent the count of its digits.
 */
function developLongDigits(value: number): void {
  let lvalue = value
  let exponent = 0
  let digitno = digits.length - 1
  let c = lvalue % 10
  lvalue = (lvalue - c) / 10
  while (c === 0) {
    exponent++
    c = lvalue % 10
    lvalue = (lvalue - c) / 10
  }
  while (lvalue !== 0) {
    digits[digitno--] = CHAR_0 + c
    exponent++
    c = lvalue % 10
    lvalue = (lvalue - c) / 10
  }
  digits[digitno] = CHAR_0 + c
  decExponent = exponent + 1
  firstDigitIndex = digitno
  nDigits = digits.length - digitno
}

/** The number of trailing zero bits of a nonzero 32-bit value. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x)
}

/**
 * `BinaryToASCIIBuffer.estimateDecExp`: floor(log10(value)), estimated from the mantissa's tangent at 1.5.
 * Java takes the floor by picking the double's bits apart; for a finite double that is Math.floor. The
 * arithmetic is the same IEEE double arithmetic in the same order (Java has no fused multiply-add here).
 */
function estimateDecExp(fractBits: number, binExp: number): number {
  const d2 = fractBits / pow2(EXP_SHIFT) // longBitsToDouble(EXP_ONE | (fractBits & SIGNIF_BIT_MASK))
  const d = (d2 - 1.5) * 0.289529654 + 0.176091259 + binExp * 0.301029995663981
  return Math.floor(d)
}

/**
 * `BinaryToASCIIBuffer.roundup`: add one to the last digit, carrying. An all-nines carry-out becomes a 1
 * with the exponent one higher, the digit count unchanged (so the zeros it leaves are printed), as in Java.
 */
function roundup(buffer: Uint16Array, first: number, count: number): void {
  let i = first + count - 1
  let q = buffer[i] ?? 0
  if (q === CHAR_9) {
    while (q === CHAR_9 && i > first) {
      buffer[i] = CHAR_0
      q = buffer[--i] ?? 0
    }
    if (q === CHAR_9) {
      decExponent += 1
      buffer[first] = CHAR_0 + 1
      return
    }
  }
  buffer[i] = q + 1
}

const DIGIT_TEXT = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

/** One digit character; anything but '0'..'9' can only come from an impossible quotient, kept as Java would. */
function charText(code: number): string {
  const text = DIGIT_TEXT[code - CHAR_0]
  return text === undefined ? String.fromCharCode(code) : text
}

/** `digits[from..to)` as text. */
function digitText(buffer: Uint16Array, from: number, to: number): string {
  let text = ''
  for (let i = from; i < to; i++) text += charText(buffer[i] ?? 0)
  return text
}

/** Each count of zeros getChars can pad with (at most 7 in plain notation, 2 after "0."). */
const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000']

/**
 * `BinaryToASCIIBuffer.getChars`: plain notation for 0 < decExponent < 8 (whole part, '.', the rest or
 * "0"), "0.00ddd" for -3 < decExponent <= 0, and otherwise d.ddd then 'E' and the exponent.
 */
function getChars(
  negative: boolean,
  buffer: Uint16Array,
  first: number,
  count: number,
  exponent: number,
): string {
  let text = negative ? '-' : ''
  if (exponent > 0 && exponent < 8) {
    const charLength = Math.min(count, exponent)
    text += digitText(buffer, first, first + charLength)
    if (charLength < exponent) {
      text += `${ZEROS[exponent - charLength]}.0`
    } else if (charLength < count) {
      text += `.${digitText(buffer, first + charLength, first + count)}`
    } else {
      text += '.0'
    }
  } else if (exponent <= 0 && exponent > -3) {
    text += `0.${ZEROS[-exponent]}${digitText(buffer, first, first + count)}`
  } else {
    text += `${charText(buffer[first] ?? 0)}.`
    text += count > 1 ? digitText(buffer, first + 1, first + count) : '0'
    text += exponent <= 0 ? `E-${-exponent + 1}` : `E${exponent - 1}`
  }
  return text
}

/**
 * getChars for digits given as a number: the same layout, from the decimal text of `value`, which has
 * exactly `count` digits (at most 15, the first not zero).
 */
function layOut(negative: boolean, value: number, count: number, exponent: number): string {
  const text = `${value}`
  const sign = negative ? '-' : ''
  if (exponent > 0 && exponent < 8) {
    if (count <= exponent) return `${sign}${text}${ZEROS[exponent - count]}.0`
    return `${sign}${text.slice(0, exponent)}.${text.slice(exponent)}`
  }
  if (exponent <= 0 && exponent > -3) return `${sign}0.${ZEROS[-exponent]}${text}`
  const mantissa = count > 1 ? `${text[0]}.${text.slice(1)}` : `${text}.0`
  return exponent <= 0 ? `${sign}${mantissa}E-${-exponent + 1}` : `${sign}${mantissa}E${exponent - 1}`
}

// ---------------------------------------------------------------------------------------------------------
// The reference port: every path of FloatingDecimal, with BigInt.
// ---------------------------------------------------------------------------------------------------------

const toInt = (x: bigint): bigint => BigInt.asIntN(32, x)
const toLong = (x: bigint): bigint => BigInt.asIntN(64, x)

/**
 * The plain port of `FloatingDecimal.toJavaFormatString(double)`: Java's int and long arithmetic as BigInt
 * wrapped to 32 or 64 bits, FDBigInteger as BigInt. Far slower than `javaDoubleToString`, which gives the
 * same strings; kept as what that one is tested against, and for the cases it hands over.
 */
export function javaDoubleToStringReference(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return 'Infinity'
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity'
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, value)
  const dBits = view.getBigUint64(0)
  const isNegative = dBits >> 63n === 1n
  let fractBits = dBits & 0xfffffffffffffn
  let binExp = Number((dBits >> 52n) & 0x7ffn)
  let nSignificantBits: number
  if (binExp === 0) {
    if (fractBits === 0n) return isNegative ? '-0.0' : '0.0'
    const leadingZeros = 64 - fractBits.toString(2).length
    const shift = leadingZeros - (63 - EXP_SHIFT)
    fractBits <<= BigInt(shift)
    binExp = 1 - shift
    nSignificantBits = 64 - leadingZeros
  } else {
    fractBits |= 1n << 52n
    nSignificantBits = EXP_SHIFT + 1
  }
  binExp -= EXP_BIAS
  const buffer = new Uint16Array(20)
  const result = referenceDtoa(buffer, binExp, fractBits, nSignificantBits)
  return getChars(isNegative, buffer, result.firstDigitIndex, result.nDigits, result.decExponent)
}

interface DtoaResult {
  firstDigitIndex: number
  nDigits: number
  decExponent: number
}

/** `BinaryToASCIIBuffer.dtoa`, every branch, into `buffer`. */
function referenceDtoa(
  buffer: Uint16Array,
  binExp: number,
  fractBitsIn: bigint,
  nSignificantBits: number,
): DtoaResult {
  let fractBits = fractBitsIn
  let tailZeros = 0
  while (((fractBits >> BigInt(tailZeros)) & 1n) === 0n) tailZeros++
  const nFractBits = EXP_SHIFT + 1 - tailZeros
  const nTinyBits = Math.max(0, nFractBits - binExp - 1)
  if (binExp <= MAX_SMALL_BIN_EXP && binExp >= MIN_SMALL_BIN_EXP) {
    if (nTinyBits < LONG_5_POW_LENGTH && nFractBits + n5Bits(nTinyBits) < 64) {
      if (nTinyBits === 0) {
        let insignificant: number
        if (binExp > nSignificantBits) {
          const p2 = binExp - nSignificantBits - 1
          insignificant =
            p2 > 1 && p2 < INSIGNIFICANT_DIGITS_NUMBER.length ? (INSIGNIFICANT_DIGITS_NUMBER[p2] ?? 0) : 0
        } else {
          insignificant = 0
        }
        if (binExp >= EXP_SHIFT) fractBits = toLong(fractBits << BigInt(binExp - EXP_SHIFT))
        else fractBits >>= BigInt(EXP_SHIFT - binExp)
        return referenceDevelopLongDigits(buffer, 0, fractBits, insignificant)
      }
      // (FloatingDecimal keeps a commented-out case for nTinyBits > 0 here; it falls to the hard case.)
    }
  }
  let decExp = estimateDecExp(Number(fractBits), binExp)
  const B5 = Math.max(0, -decExp)
  let B2 = B5 + nTinyBits + binExp
  const S5 = Math.max(0, decExp)
  let S2 = S5 + nTinyBits
  const M5 = B5
  let M2 = B2 - nSignificantBits
  fractBits >>= BigInt(tailZeros)
  B2 -= nFractBits - 1
  const common2factor = Math.min(B2, S2)
  B2 -= common2factor
  S2 -= common2factor
  M2 -= common2factor
  if (nFractBits === 1) M2 -= 1
  if (M2 < 0) {
    B2 -= M2
    S2 -= M2
    M2 = 0
  }
  let ndigit = 0
  let low: boolean
  let high: boolean
  let lowDigitDifference: bigint
  let q: number
  const Bbits = nFractBits + B2 + n5Bits(B5)
  const tenSbits = S2 + 1 + n5Bits(S5 + 1)
  if (Bbits < 64 && tenSbits < 64) {
    // The int and the long path are one algorithm; only the width the arithmetic wraps at differs. (In
    // the int path, Bbits < 32 and tenSbits < 32 keep B5 and S5 + 1 within SMALL_5_POW, 5^0..5^13.)
    const wrap = Bbits < 32 && tenSbits < 32 ? toInt : toLong
    const start = wrap === toInt ? toInt(fractBits) : fractBits // (int)fractBits
    let b = wrap(wrap(start * long5Pow(B5)) << BigInt(B2))
    const s = wrap(long5Pow(S5) << BigInt(S2))
    let m = wrap(long5Pow(M5) << BigInt(M2))
    const tens = wrap(s * 10n)
    q = Number(toInt(b / s))
    b = wrap(10n * (b % s))
    m = wrap(m * 10n)
    low = b < m
    high = wrap(b + m) > tens
    if (q === 0 && !high) decExp--
    else buffer[ndigit++] = CHAR_0 + q
    if (decExp < -3 || decExp >= 8) high = low = false
    while (!low && !high) {
      q = Number(toInt(b / s))
      b = wrap(10n * (b % s))
      m = wrap(m * 10n)
      if (m > 0n) {
        low = b < m
        high = wrap(b + m) > tens
      } else {
        low = true
        high = true
      }
      buffer[ndigit++] = CHAR_0 + q
    }
    lowDigitDifference = wrap(wrap(b << 1n) - tens)
  } else {
    // FDBigInteger arithmetic. Java also shifts S, B, M and 10S left by S's normalization bias so its
    // word-wise division guesses well; scaling all four alike changes no quotient or comparison, and
    // quoRemIteration's guess-and-correct division is exact, so plain BigInt division is the same.
    const Sval = long5PowBig(S5) << BigInt(S2)
    let Bval = (fractBits * long5PowBig(B5)) << BigInt(B2)
    let Mval = long5PowBig(M5 + 1) << BigInt(M2 + 1)
    const tenSval = long5PowBig(S5 + 1) << BigInt(S2 + 1)
    q = Number(Bval / Sval)
    Bval = (Bval % Sval) * 10n
    low = Bval < Mval
    high = Bval + Mval >= tenSval // tenSval.addAndCmp(Bval, Mval) <= 0: not strict, unlike above
    if (q === 0 && !high) decExp--
    else buffer[ndigit++] = CHAR_0 + q
    if (decExp < -3 || decExp >= 8) high = low = false
    while (!low && !high) {
      q = Number(Bval / Sval)
      Bval = (Bval % Sval) * 10n
      Mval *= 10n
      low = Bval < Mval
      high = Bval + Mval >= tenSval
      buffer[ndigit++] = CHAR_0 + q
    }
    if (high && low) {
      Bval <<= 1n
      lowDigitDifference = Bval === tenSval ? 0n : Bval > tenSval ? 1n : -1n
    } else {
      lowDigitDifference = 0n
    }
  }
  const result: DtoaResult = { firstDigitIndex: 0, nDigits: ndigit, decExponent: decExp + 1 }
  if (high) {
    if (low) {
      if (lowDigitDifference === 0n) {
        if (((buffer[ndigit - 1] ?? 0) & 1) !== 0) referenceRoundup(buffer, result)
      } else if (lowDigitDifference > 0n) {
        referenceRoundup(buffer, result)
      }
    } else {
      referenceRoundup(buffer, result)
    }
  }
  return result
}

/** 5^i as BigInt for any i (FDBigInteger.big5pow). */
function long5PowBig(i: number): bigint {
  return i < LONG_5_POW_LENGTH ? long5Pow(i) : 5n ** BigInt(i)
}

/** `roundup` on the reference port's result. */
function referenceRoundup(buffer: Uint16Array, result: DtoaResult): void {
  const first = result.firstDigitIndex
  let i = first + result.nDigits - 1
  let q = buffer[i] ?? 0
  if (q === CHAR_9) {
    while (q === CHAR_9 && i > first) {
      buffer[i] = CHAR_0
      q = buffer[--i] ?? 0
    }
    if (q === CHAR_9) {
      result.decExponent += 1
      buffer[first] = CHAR_0 + 1
      return
    }
  }
  buffer[i] = q + 1
}

/** `developLongDigits(decExponent, lvalue, insignificantDigits)`, in long arithmetic. */
function referenceDevelopLongDigits(
  buffer: Uint16Array,
  decExponentIn: number,
  lvalueIn: bigint,
  insignificantDigits: number,
): DtoaResult {
  let decExp = decExponentIn
  let lvalue = lvalueIn
  if (insignificantDigits !== 0) {
    // Discard the insignificant low-order digits, rounding half up.
    const pow10 = long5Pow(insignificantDigits) << BigInt(insignificantDigits)
    const residue = lvalue % pow10
    lvalue /= pow10
    decExp += insignificantDigits
    if (residue >= pow10 >> 1n) lvalue++
  }
  let digitno = buffer.length - 1
  let c = Number(lvalue % 10n)
  lvalue /= 10n
  while (c === 0) {
    decExp++
    c = Number(lvalue % 10n)
    lvalue /= 10n
  }
  while (lvalue !== 0n) {
    buffer[digitno--] = CHAR_0 + c
    decExp++
    c = Number(lvalue % 10n)
    lvalue /= 10n
  }
  buffer[digitno] = CHAR_0 + c
  return { firstDigitIndex: digitno, nDigits: buffer.length - digitno, decExponent: decExp + 1 }
}
