import { randomInt } from 'node:crypto'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { flinkFormat } from '../../lib/flink/format.js'
import type { Written } from '../../lib/stocks/format.js'
import { type FlinkOutcome, flinkFormatClasspath, runFlinkFormat } from '../support/flink-format.js'

/**
 * lib/flink/ (through the flink sink format, validation `flink`) against the real Flink JSON
 * format classes (flink-json 2.2.1 from Maven Central, scripts/flink-format/): for every source value,
 * whatever Flink wrote the port writes byte for byte, and whatever Flink failed on or dropped the port
 * dead-letters. The values are fresh each run (the seed is printed with any mismatch) and lean on the
 * edges: field orders, duplicates, nulls, numbers and numeric strings of every shape, timestamps of every
 * shape, odd characters and escapes, broken UTF-8, other encodings and plain garbage.
 */

/** FLINK_FORMAT_VALUES runs more (or fewer). */
const FUZZ_VALUES = Number(process.env.FLINK_FORMAT_VALUES ?? 5_000)
const SHOWN_PER_CLASS = 3

// ---------------------------------------------------------------------------------------------------------
// Bytes

/** A piece of a value: text (encoded as below) or raw bytes. */
type Part = string | Uint8Array
type Doc = Part[]

/**
 * UTF-8 of a JavaScript string, code unit by code unit: a surrogate pair as one 4-byte sequence, a lone
 * surrogate as its own 3-byte sequence (which Jackson's UTF-8 decoder accepts, bit pattern only).
 */
function wtf8(text: string): Uint8Array {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i)
    const next = text.charCodeAt(i + 1)
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00)
      i++
    }
    if (code < 0x80) bytes.push(code)
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63))
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63))
    else
      bytes.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 63),
        0x80 | ((code >> 6) & 63),
        0x80 | (code & 63),
      )
  }
  return Uint8Array.from(bytes)
}

function utf8Doc(doc: Doc): Buffer {
  return Buffer.concat(doc.map((part) => (typeof part === 'string' ? wtf8(part) : part)))
}

function docText(doc: Doc): string | undefined {
  return doc.every((part) => typeof part === 'string') ? doc.join('') : undefined
}

function utf16(text: string, bigEndian: boolean, bom: boolean): Buffer {
  const units = (bom ? '\ufeff' : '') + text
  const bytes = Buffer.alloc(units.length * 2)
  for (let i = 0; i < units.length; i++) {
    if (bigEndian) bytes.writeUInt16BE(units.charCodeAt(i), i * 2)
    else bytes.writeUInt16LE(units.charCodeAt(i), i * 2)
  }
  return bytes
}

function utf32(text: string, bigEndian: boolean, bom: boolean): Buffer {
  const points = [...((bom ? '\ufeff' : '') + text)].map((char) => char.codePointAt(0) as number)
  const bytes = Buffer.alloc(points.length * 4)
  points.forEach((point, i) => {
    if (bigEndian) bytes.writeUInt32BE(point, i * 4)
    else bytes.writeUInt32LE(point, i * 4)
  })
  return bytes
}

type Encoding =
  | 'utf8'
  | 'utf8-bom'
  | 'utf16le'
  | 'utf16be'
  | 'utf16le-bom'
  | 'utf16be-bom'
  | 'utf32be'
  | 'utf32le'

function encode(doc: Doc, encoding: Encoding, cut: number): Buffer {
  const text = docText(doc)
  let bytes: Buffer
  if (encoding === 'utf8-bom') bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8Doc(doc)])
  else if (encoding === 'utf8' || text === undefined) bytes = utf8Doc(doc)
  else if (encoding.startsWith('utf16'))
    bytes = utf16(text, encoding.includes('be'), encoding.endsWith('bom'))
  else bytes = utf32(text, encoding === 'utf32be', cut % 2 === 0)
  // Now and then an encoding cut short by a byte or two.
  return cut > 0 && cut < 3 && encoding !== 'utf8'
    ? bytes.subarray(0, Math.max(0, bytes.length - cut))
    : bytes
}

// ---------------------------------------------------------------------------------------------------------
// JSON pieces

/** A deterministic choice maker, seeded by fast-check, for per-character rendering decisions. */
function chooser(seed: number): (n: number) => number {
  let state = seed >>> 0
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) % n) as number
  }
}

const hex4 = (code: number, upper: boolean): string => {
  const digits = code.toString(16).padStart(4, '0')
  return `\\u${upper ? digits.toUpperCase() : digits}`
}

const SHORT: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
}

/** Invalid bytes to put inside a string or after a value. */
const BAD_BYTES: readonly number[][] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xbf],
  [0xc3],
  [0xc3, 0x28],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xf0, 0x80, 0x80, 0xaf],
  [0x00],
]

/**
 * A JSON string literal for `text`, each character rendered as it is, as a `\u` escape (either case) or a
 * short escape; `mess` > 0 also lets in invalid escapes, unescaped quotes or raw invalid bytes.
 */
function renderString(text: string, seed: number, escapeRate: number, mess: number): Doc {
  const pick = chooser(seed)
  const doc: Doc = ['"']
  for (const char of text) {
    const roll = pick(100)
    if (mess > 0 && pick(100) < mess) {
      const kind = pick(7)
      if (kind === 0) doc.push('\\x')
      else if (kind === 1) doc.push('\\u12G4')
      else if (kind === 2) doc.push("\\'")
      else if (kind === 3) doc.push('\\u00')
      else if (kind === 4) doc.push('"')
      else doc.push(Uint8Array.from(BAD_BYTES[pick(BAD_BYTES.length)] as number[]))
    }
    if (char === '"' || char === '\\') {
      doc.push(roll < 50 ? (SHORT[char] as string) : hex4(char.charCodeAt(0), roll % 2 === 0))
    } else if (roll < escapeRate) {
      const short = SHORT[char]
      if (short !== undefined && roll % 3 === 0) doc.push(short)
      else for (let i = 0; i < char.length; i++) doc.push(hex4(char.charCodeAt(i), roll % 2 === 0))
    } else {
      doc.push(char)
    }
  }
  doc.push('"')
  return doc
}

/** Characters for tickers and other strings, leaning on the ones that need care. */
const oddChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789 .-_^$') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '"',
      '\\',
      '/',
      '\u007f',
      '\u0080',
      '\u009f',
      'é',
      'ß',
      '\u00a0',
      '\u0600',
      '\u2028',
      '\u2029',
      '\ufeff',
      '\ufffd',
      '\uffff',
      '€',
      '中',
      '\u0301',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('😀', '\u{10ffff}', '\u{1d11e}', '\u{10000}', '\u{1f1fa}\u{1f1f8}'),
  },
  { weight: 2, arbitrary: fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
)

const oddText = (maxLength: number) => fc.array(oddChar, { maxLength }).map((chars) => chars.join(''))

/** A string literal of odd text, escaped at random, now and then broken. */
const stringLiteral = (maxLength: number, mess = 2) =>
  fc
    .tuple(
      oddText(maxLength),
      fc.integer(),
      fc.constantFrom(0, 0, 10, 50, 100),
      fc.constantFrom(0, 0, 0, mess),
    )
    .map(([text, seed, escapeRate, messRate]) => renderString(text, seed, escapeRate, messRate))

const EDGE_NUMBERS = [
  '0',
  '-0',
  '0.0',
  '-0.0',
  '0e0',
  '-0E-0',
  '1',
  '-1',
  '1.5',
  '1.50',
  '1E+2',
  '1e2',
  '100',
  '0.1',
  '41.72',
  '99.99',
  '1e308',
  '1.7976931348623157e308',
  '1.7976931348623158e308',
  '1.7976931348623159e308',
  '1e309',
  '-1e309',
  '1e-323',
  '4.9e-324',
  '2.4703282292062328e-324',
  '2.4703282292062327e-324',
  '1e-400',
  '2.2250738585072011e-308',
  '2.2250738585072012e-308',
  '9007199254740993',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '123456789012345678901234567890',
  '0.30000000000000004',
  '1e21',
  '1e22',
  '1e23',
  '123456789e-5',
  '1e99999999999',
  '1e-99999999999',
  '0.000001',
  '0.0000001',
  '1234567.0',
  '12345678.0',
]

const INVALID_NUMBERS = [
  '01',
  '-',
  '1.',
  '.5',
  '+1',
  '1e',
  '1e+',
  '--1',
  '0x10',
  '1.5.5',
  '-01',
  '00',
  'NaN',
  '-Infinity',
]

/** Number tokens: mostly valid JSON, of every shape. */
const numberText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 1, max: 21 }), fc.nat(2))
      .map(([value, digits, form]) =>
        form === 0 ? value.toPrecision(digits) : form === 1 ? value.toExponential(digits - 1) : String(value),
      )
      .map((text) => text.replace('e+', 'E+')),
  },
  { weight: 2, arbitrary: fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 990, max: 1010 }), fc.nat(3)).map(([digits, form]) => {
      // Around Jackson's limit of 1000 digits a number.
      if (form === 0) return '7'.repeat(digits)
      if (form === 1) return `1.${'3'.repeat(digits - 1)}`
      if (form === 2) return `${'9'.repeat(digits - 3)}e10`
      return `0.${'0'.repeat(digits - 2)}1`
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_NUMBERS) },
)

/** The text inside a numeric string, for Double.parseDouble (after String.trim). */
const numericStringText = fc
  .tuple(
    fc.constantFrom('', '', '', ' ', '  ', '\t', '\n', '\u0000', '\u001f', '\u00a0', '\u2003', '\u000b'),
    fc.constantFrom('', '', '', '+', '-'),
    fc.oneof(
      { weight: 4, arbitrary: numberText },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          '0x1p3',
          '0X1.8P-1',
          '0x.8p1',
          '0x1.p1',
          '0x1p-1074',
          '0x1p-1075',
          '0x1.8p-1074',
          '0x0.0000000000001p-1022',
          '0x1.fffffffffffff8p1023',
          '0x1.fffffffffffffp1023',
          '0x1p1024',
          '0xABCDEFp-10',
          '0x1P',
          '0xp1',
          '0x1',
          '0x1p+3',
          '0x1.0000000000000800000001p0',
          '0x1.00000000000008p0',
          '0x1.00000000000018p0',
        ),
      },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          'NaN',
          'Infinity',
          'infinity',
          'nan',
          'Inf',
          'INFINITY',
          '',
          '.',
          '5.',
          '.5',
          '1e5',
          '1_000',
          '1,5',
          '١',
          '1e',
          'e5',
          '1.2.3',
          '0005',
          '1L',
          '١٢',
        ),
      },
    ),
    fc.constantFrom('', '', '', 'd', 'D', 'f', 'F', 'dd', 'L'),
    fc.constantFrom('', '', '', ' ', '\t', '\r\n', '\u0000', '\u00a0', 'x'),
  )
  .map((parts) => parts.join(''))

/** Timestamps of every shape, most of them close to SQL_TIMESTAMP_FORMAT. */
const oddTimestampText = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 9999 }).map((y) => String(y).padStart(4, '0')) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '0000',
          '9999',
          '+10000',
          '-0001',
          '+0001',
          '10000',
          '-10000',
          '+999999999',
          '+1000000000',
          '-999999999',
          '-1000000000',
          '999',
          '-0000',
          '+5881580',
          '+292278994',
          '-292275055',
          '2000',
          '2100',
          '1900',
          '1600',
          '+12345',
          '١٢٣٤',
        ),
      },
    ),
    fc.oneof(
      fc.integer({ min: 0, max: 13 }).map((m) => String(m).padStart(2, '0')),
      fc.constantFrom('1', '002'),
    ),
    fc.oneof(
      fc.integer({ min: 0, max: 32 }).map((d) => String(d).padStart(2, '0')),
      fc.constantFrom('9', '29', '30', '31'),
    ),
    fc.constantFrom(' ', ' ', ' ', ' ', 'T', 't', '  ', '_', ''),
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .tuple(
            fc.integer({ min: 0, max: 25 }),
            fc.integer({ min: 0, max: 61 }),
            fc.integer({ min: 0, max: 61 }),
          )
          .map((hms) => hms.map((n) => String(n).padStart(2, '0')).join(':')),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom('24:00:00', '23:59:59', '00:00:00', '24:00:01', '12:00', '1:02:03'),
      },
    ),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constant('.') },
      {
        weight: 6,
        arbitrary: fc
          .tuple(fc.integer({ min: 1, max: 10 }), fc.nat())
          .map(([digits, n]) => `.${String(n).padStart(10, '0').slice(-digits)}`),
      },
      { weight: 1, arbitrary: fc.constantFrom('.000', '.000000000', '.1234567890', ',123', '.12a') },
    ),
    fc.constantFrom('', '', '', '', '', 'Z', ' ', '+00:00', '\u0000'),
    fc.constantFrom('', '', '', '', '', ' ', '\t'),
  )
  .map(
    ([year, month, day, separator, time, fraction, suffix, prefix]) =>
      `${prefix}${year}-${month}-${day}${separator}${time}${fraction}${suffix}`,
  )

const atoms = fc.constantFrom('true', 'false', 'null')

/** The docs one after the other, `separator` between them. */
function joined(docs: readonly Doc[], separator: Doc): Doc {
  return docs.flatMap((doc, i) => (i === 0 ? doc : [...separator, ...doc]))
}

/** Any JSON value, nested at random; `depth` bounds the nesting. */
function jsonValue(depth: number): fc.Arbitrary<Doc> {
  const leaf = fc.oneof(
    { weight: 2, arbitrary: stringLiteral(6) },
    { weight: 2, arbitrary: numberText.map((text): Doc => [text]) },
    { weight: 1, arbitrary: atoms.map((text): Doc => [text]) },
  )
  if (depth <= 0) return leaf
  const inner = jsonValue(depth - 1)
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.array(inner, { maxLength: 3 }), whitespace).map(([items, ws]): Doc => {
        return ['[', ws, ...joined(items, [',', ws]), ws, ']']
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.array(fc.tuple(fc.oneof(stringLiteral(4, 0), nameLiteral), inner), { maxLength: 3 }),
          whitespace,
        )
        .map(([entries, ws]): Doc => {
          const members = entries.map(([name, item]): Doc => [...name, ws, ':', ws, ...item])
          return ['{', ws, ...joined(members, [',', ws]), ws, '}']
        }),
    },
  )
}

const whitespace = fc.oneof(
  { weight: 40, arbitrary: fc.constant('') },
  { weight: 12, arbitrary: fc.constantFrom(' ', '\n', '\t', '\r\n', '  ', ' \t\r\n ') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('\f', '\u000b', '\u00a0', '\u0000', '\u2028', '\ufeff', '/* */', '#'),
  },
)

const FIELDS = ['event_time', 'ticker', 'price'] as const
type Field = (typeof FIELDS)[number]

/** A name that decodes to a row field, now and then spelled with escapes; or a near miss. */
const nameLiteral: fc.Arbitrary<Doc> = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom<string>(...FIELDS) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'Ticker',
          'PRICE',
          'event-time',
          'eventTime',
          'price ',
          '',
          'ticker\u0000',
          'tick\u00e9r',
          'ticker\ud800',
        ),
      },
    ),
    fc.integer(),
    fc.constantFrom(0, 0, 0, 20),
    fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 5),
  )
  .map(([name, seed, escapeRate, mess]) => renderString(name, seed, escapeRate, mess))

/**
 * A row field's name with 0xFF bytes put in before its last few bytes: Jackson's symbol table pads a name's
 * last, partial 4-byte group with 0xFF bytes, so some of these are found as the name itself.
 */
const paddedNameLiteral: fc.Arbitrary<Doc> = fc
  .tuple(fc.constantFrom<string>(...FIELDS), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }))
  .map(
    ([name, tail, pad]): Doc => [
      `"${name.slice(0, -tail)}`,
      new Uint8Array(pad).fill(0xff),
      `${name.slice(-tail)}"`,
    ],
  )

const fieldNameLiteral = (field: Field): fc.Arbitrary<Doc> =>
  fc
    .tuple(fc.integer(), fc.constantFrom(0, 0, 0, 0, 0, 30))
    .map(([seed, escapeRate]) => renderString(field, seed, escapeRate, 0))

/** Real dates and times in SQL_TIMESTAMP_FORMAT, with 0 to 9 fraction digits. */
const sqlTimestampText = fc
  .tuple(
    fc.integer({ min: 1, max: 9999 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    fc.integer({ min: 0, max: 86_399 }),
    fc.integer({ min: 0, max: 9 }),
    fc.nat(999_999_999),
  )
  .map(([year, month, day, seconds, digits, nano]) => {
    const pad = (value: number, width = 2) => String(value).padStart(width, '0')
    const time = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`
    const fraction = digits === 0 ? '' : `.${pad(nano, 9).slice(0, digits)}`
    return `${pad(year, 4)}-${pad(month)}-${pad(day)} ${time}${fraction}`
  })

const timestampText = fc.oneof(
  { weight: 5, arbitrary: sqlTimestampText },
  { weight: 2, arbitrary: oddTimestampText },
)

const eventTimeValue: fc.Arbitrary<Doc> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(timestampText, fc.integer(), fc.constantFrom(0, 0, 0, 0, 5))
      .map(([text, seed, escapeRate]) => renderString(text, seed, escapeRate, 0)),
  },
  { weight: 1, arbitrary: atoms.map((text): Doc => [text]) },
  { weight: 1, arbitrary: numberText.map((text): Doc => [text]) },
  { weight: 1, arbitrary: jsonValue(2) },
)

const tickerValue: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 10, arbitrary: stringLiteral(8) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('AAPL', 'MSFT', 'AMZN', 'INTC', 'TBV', 'V').map((t): Doc => [`"${t}"`]),
  },
  { weight: 1, arbitrary: atoms.map((text): Doc => [text]) },
  { weight: 2, arbitrary: numberText.map((text): Doc => [text]) },
  { weight: 2, arbitrary: jsonValue(3) },
)

const priceValue: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 8, arbitrary: numberText.map((text): Doc => [text]) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(numericStringText, fc.integer(), fc.constantFrom(0, 0, 0, 10))
      .map(([text, seed, escapeRate]) => renderString(text, seed, escapeRate, 0)),
  },
  { weight: 1, arbitrary: atoms.map((text): Doc => [text]) },
  { weight: 1, arbitrary: jsonValue(2) },
)

const VALUES: Record<Field, fc.Arbitrary<Doc>> = {
  event_time: eventTimeValue,
  ticker: tickerValue,
  price: priceValue,
}

/** One member of a stock object: a row field (maybe spelled with escapes) or another name. */
const member: fc.Arbitrary<[Doc, Doc]> = fc.oneof(
  ...FIELDS.map((field) => ({
    weight: 6,
    arbitrary: fc.tuple(fieldNameLiteral(field), VALUES[field]),
  })),
  { weight: 2, arbitrary: fc.tuple(fc.oneof(nameLiteral, stringLiteral(6, 3)), jsonValue(3)) },
  {
    weight: 1,
    arbitrary: fc.tuple(paddedNameLiteral, fc.oneof(eventTimeValue, tickerValue, priceValue)),
  },
  // Long enough to cross the parsers' buffers (4000 chars for UTF-16 and UTF-32, 8 KiB for UTF-16 bytes).
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 3975, max: 4005 }), fc.constantFrom('a', 'é', '😀', '\\n'), fc.boolean())
      .map(([length, char, twice]): [Doc, Doc] => [
        ['"pad"'],
        ['"', char.repeat(twice ? 2 * length : length), '"'],
      ]),
  },
)

/** A stock-shaped object: each field at most... or more than once, in any order, among others. */
const stockObject: fc.Arbitrary<Doc> = fc
  .tuple(
    fc.subarray([...FIELDS]),
    fc.array(member, { maxLength: 4 }),
    fc.array(whitespace, { minLength: 8, maxLength: 8 }),
    fc.integer(),
    fc.tuple(...FIELDS.map((field) => fc.tuple(fieldNameLiteral(field), VALUES[field]))),
  )
  .map(([present, extra, ws, seed, fieldMembers]) => {
    const pick = chooser(seed)
    const members: [Doc, Doc][] = [...extra]
    for (const field of present) {
      const index = FIELDS.indexOf(field)
      members.splice(pick(members.length + 1), 0, fieldMembers[index] as [Doc, Doc])
    }
    const space = () => ws[pick(ws.length)] as string
    const doc: Doc = [space(), '{', space()]
    members.forEach(([name, value], i) => {
      if (i > 0) doc.push(space(), ',', space())
      doc.push(...name, space(), ':', space(), ...value)
    })
    doc.push(space(), '}')
    return doc
  })

/** What may follow the object (nothing after it is read, unless the parser needs it). */
const trailer: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Doc>([]) },
  { weight: 2, arbitrary: whitespace.map((ws): Doc => [ws]) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Doc>(
      ['}'],
      [']'],
      ['x'],
      [',{"a":1}'],
      ['{"ticker":"MSFT"}'],
      ['\u0000'],
      ['garbage'],
      ['\n{"price":1}'],
      ['"'],
      ['\\'],
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(...BAD_BYTES).map((bytes): Doc => [Uint8Array.from(bytes)]) },
)

/** A stock object with something around it. */
const stockDoc: fc.Arbitrary<Doc> = fc
  .tuple(
    fc.oneof(
      { weight: 20, arbitrary: fc.constant<Doc>([]) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Doc>(
          ['\ufeff'],
          ['\u0000'],
          [Uint8Array.from([0xff])],
          ['x'],
          ['//c\n'],
          ['/*c*/'],
        ),
      },
    ),
    stockObject,
    trailer,
  )
  .map(([before, object, after]) => [...before, ...object, ...after])

/** Top-level values other than one object: arrays of rows, scalars, nothing. */
const otherDoc: fc.Arbitrary<Doc> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.array(fc.oneof({ weight: 4, arbitrary: stockObject }, { weight: 1, arbitrary: jsonValue(1) }), {
          maxLength: 3,
        }),
        trailer,
      )
      .map(([items, after]): Doc => {
        return ['[', ...joined(items, [',']), ']', ...after]
      }),
  },
  { weight: 2, arbitrary: jsonValue(2) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Doc>(
      [''],
      [' '],
      ['\n\t '],
      ['null'],
      ['{}'],
      ['[]'],
      ['[null]'],
      ['{'],
      ['}'],
      ["{'ticker':'A'}"],
      ['{ticker:"A"}'],
      ['{"ticker":"A",}'],
      ['{"ticker" "A"}'],
      ['{"ticker":"A" "price":1}'],
    ),
  },
)

/** A well-formed stock value cut short or with one byte changed, inserted or deleted. */
const mutatedDoc: fc.Arbitrary<Doc> = fc
  .tuple(stockObject, fc.nat(), fc.nat(3), fc.integer({ min: 0, max: 255 }))
  .map(([doc, at, how, byte]): Doc => {
    const bytes = utf8Doc(doc)
    const index = bytes.length === 0 ? 0 : at % bytes.length
    if (how === 0) return [bytes.subarray(0, index)]
    if (how === 1)
      return [Buffer.concat([bytes.subarray(0, index), Buffer.from([byte]), bytes.subarray(index + 1)])]
    if (how === 2)
      return [Buffer.concat([bytes.subarray(0, index), Buffer.from([byte]), bytes.subarray(index)])]
    return [Buffer.concat([bytes.subarray(0, index), bytes.subarray(index + 1)])]
  })

const encodedValue: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.oneof(
      { weight: 14, arbitrary: stockDoc },
      { weight: 2, arbitrary: otherDoc },
      { weight: 2, arbitrary: mutatedDoc },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 48 }).map((bytes): Doc => [bytes]) },
    ),
    fc.oneof(
      { weight: 24, arbitrary: fc.constant<Encoding>('utf8') },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Encoding>(
          'utf8-bom',
          'utf16le',
          'utf16be',
          'utf16le-bom',
          'utf16be-bom',
          'utf32be',
          'utf32le',
        ),
      },
    ),
    fc.nat(6),
  )
  .map(([doc, encoding, cut]) => encode(doc, encoding, cut))

/** Bytes that Jackson's encoding detection looks at (byte order marks, zero bytes) before a value. */
const detectionPrefix: fc.Arbitrary<Uint8Array> = fc
  .array(fc.constantFrom(0x00, 0x00, 0xfe, 0xff, 0xef, 0xbb, 0xbf, 0x7b, 0x22, 0x20), {
    minLength: 1,
    maxLength: 4,
  })
  .map((prefix) => Uint8Array.from(prefix))

const sourceValue: fc.Arbitrary<Uint8Array | null> = fc.oneof(
  { weight: 190, arbitrary: encodedValue },
  {
    weight: 10,
    arbitrary: fc
      .tuple(detectionPrefix, encodedValue)
      .map(([prefix, value]) => Buffer.concat([prefix, value])),
  },
  { weight: 1, arbitrary: fc.constant(null) },
)

// ---------------------------------------------------------------------------------------------------------
// Comparison

function show(bytes: Uint8Array | null): string {
  if (bytes === null) return 'null (a tombstone)'
  const text = JSON.stringify(new TextDecoder().decode(bytes))
  const shown = text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text
  return `base64 ${Buffer.from(bytes).toString('base64').slice(0, 400)} = ${shown}`
}

function showOutcome(outcome: FlinkOutcome): string {
  if (outcome.kind === 'skipped') return 'SKIPPED (no row)'
  if (outcome.kind === 'failed') return `FAILED ${outcome.error}`
  return `WRITTEN ${outcome.rows.map(({ key, value }) => `key ${key.toString('utf8')} value ${value.toString('utf8')}`).join(' | ')}`
}

interface Mismatch {
  /** A short name for the kind of difference, to group them. */
  readonly kind: string
  readonly text: string
}

type PortOutcome =
  | { readonly ok: true; readonly written: readonly Written[] }
  | { readonly ok: false; readonly reason: string; readonly detail: string }

/** What the port writes for a value under the `flink` validation, or why it dead-letters it. */
function portOutcome(input: Uint8Array | null): PortOutcome {
  const read = flinkFormat.read(input, 'flink')
  if (!read.ok) return read
  if ('written' in read) return { ok: true, written: read.written }
  throw new Error('the flink validation writes what it read; it returned stocks')
}

/** Where the port parts from Flink on this value, if it does. */
function compare(input: Uint8Array | null, flink: FlinkOutcome): Mismatch | undefined {
  const port = portOutcome(input)
  const portText = port.ok
    ? port.written.map(({ key, value }) => `ok key ${key} value ${value}`).join('; ')
    : `${port.reason} (${port.detail})`
  const mismatch = (kind: string): Mismatch => ({
    kind,
    text: `${kind}\n    input: ${show(input)}\n    flink: ${showOutcome(flink)}\n    port:  ${portText}`,
  })
  if (flink.kind !== 'written') {
    return port.ok
      ? mismatch(
          `Flink ${flink.kind === 'failed' ? flink.error.replace(/:.*/, '') : 'skipped'}, the port wrote`,
        )
      : undefined
  }
  if (!port.ok) return mismatch(`Flink wrote, the port dead-lettered ${port.reason}`)
  if (flink.rows.length !== port.written.length)
    return mismatch(`Flink wrote ${flink.rows.length} rows, the port ${port.written.length}`)
  for (const [i, row] of flink.rows.entries()) {
    const ours = port.written[i]
    if (ours === undefined) return mismatch('a row is missing')
    if (!Buffer.from(ours.key, 'utf8').equals(row.key)) return mismatch('the keys differ')
    if (!Buffer.from(ours.value, 'utf8').equals(row.value)) return mismatch('the values differ')
  }
  return undefined
}

function report(mismatches: readonly Mismatch[], header: string): string {
  const byKind = new Map<string, Mismatch[]>()
  for (const mismatch of mismatches)
    byKind.set(mismatch.kind, [...(byKind.get(mismatch.kind) ?? []), mismatch])
  const lines = [`${header}: ${mismatches.length} mismatches in ${byKind.size} classes`]
  for (const [kind, list] of byKind) {
    lines.push(`\n== ${kind} (${list.length})`)
    for (const mismatch of list.slice(0, SHOWN_PER_CLASS))
      lines.push(mismatch.text.slice(mismatch.text.indexOf('\n') + 1))
  }
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------------------
// Fixed cases: the hardest ones found, each named.

const text = (value: string): Uint8Array => wtf8(value)
const bytes = (...values: (string | number[])[]): Uint8Array =>
  Buffer.concat(values.map((value) => (typeof value === 'string' ? wtf8(value) : Uint8Array.from(value))))

const FIXED: readonly [string, Uint8Array | null][] = [
  [
    'the original producer’s record',
    text('{"event_time": "2023-08-08 04:21:56.484843", "ticker": "AAPL", "price": 41.72}'),
  ],
  ['a tombstone', null],
  ['an empty value', text('')],
  ['whitespace only', text(' \n')],
  ['an empty object', text('{}')],
  ['nulls everywhere', text('{"event_time":null,"ticker":null,"price":null}')],
  ['a duplicate ticker: the last wins', text('{"ticker":"A","ticker":"B","price":1}')],
  [
    'three row fields, then a fourth is only skipped',
    text('{"ticker":"A","ticker":"B","price":1,"event_time":"x"}'),
  ],
  ['a name spelled with escapes', text('{"\\u0074icker":"A"}')],
  ['an integer price', text('{"price":-0}')],
  ['a float price rounding to infinity', text('{"price":1.7976931348623159e308}')],
  ['the smallest subnormal, and below it', text('{"price":[2.4703282292062328e-324]}')],
  ['a numeric string with Java whitespace and a suffix', text('{"price":"\\u0000 1e3d\\t"}')],
  ['a hexadecimal float string', text('{"price":"0x1.8p1"}')],
  ['NaN and Infinity strings', text('{"price":"-Infinity","ticker":"NaN"}')],
  ['a price string with a non-breaking space', text('{"price":"1\\u00a0"}')],
  ['a number of 1000 digits', text(`{"price":${'7'.repeat(1000)}}`)],
  ['a number of 1001 digits', text(`{"price":${'7'.repeat(1001)}}`)],
  ['a fraction of 1000 digits', text(`{"price":0.${'3'.repeat(999)}}`)],
  ['24:00 at the end of a year', text('{"event_time":"2023-12-31 24:00:00"}')],
  ['24:00 with a zero fraction', text('{"event_time":"2023-12-31 24:00:00.000"}')],
  ['30 February', text('{"event_time":"2023-02-30 10:00:00"}')],
  ['ten fraction digits', text('{"event_time":"2023-02-03 10:00:00.1234567891"}')],
  ['a bare fraction dot', text('{"event_time":"2023-02-03 10:00:00."}')],
  ['the T form', text('{"event_time":"2023-02-03T10:00:00"}')],
  ['a signed five-digit year', text('{"event_time":"+10000-01-01 00:00:00"}')],
  ['a negative year', text('{"event_time":"-0001-01-01 00:00:00.5"}')],
  ['a year past the epoch-millisecond range', text('{"event_time":"+292278994-08-17 07:12:55.807"}')],
  ['a ticker of control characters and quotes', text('{"ticker":"\u0001\u001f\\"\\\\\u007f\u2028"}')],
  ['an astral ticker, raw and escaped', text('{"ticker":"😀\\ud83d\\ude00"}')],
  ['lone surrogate escapes', text('{"ticker":"\\ud800x\\udfff"}')],
  ['a raw lone surrogate (CESU bytes)', bytes('{"ticker":"', [0xed, 0xa0, 0x80], '"}')],
  ['an overlong encoding', bytes('{"ticker":"', [0xc0, 0x80], '"}')],
  ['invalid UTF-8 in a ticker', bytes('{"ticker":"A', [0xff], '"}')],
  ['invalid UTF-8 after the object', bytes('{"ticker":"A"}', [0xff])],
  ['a ticker holding an object', text('{"ticker":{"b":"é\\n","a":1.50,"c":1E+2,"d":-0,"b":[true,null]}}')],
  ['a ticker holding a big number', text('{"ticker":123456789012345678901234567890}')],
  ['a ticker holding a float with an exponent', text('{"ticker":1E+2}')],
  ['content after the object', text('{"ticker":"A"} trailing')],
  ['a byte order mark', bytes([0xef, 0xbb, 0xbf], '{"ticker":"A"}')],
  ['UTF-16LE without a BOM', Buffer.from('{"ticker":"A","price":1.5}', 'utf16le')],
  ['UTF-16BE with a BOM', utf16('{"ticker":"é"}', true, true)],
  ['UTF-32BE', utf32('{"ticker":"😀"}', true, false)],
  ['an array of two rows', text('[{"ticker":"A","price":1},{"ticker":"B"}]')],
  ['an empty array', text('[]')],
  ['an array holding null', text('[null]')],
  ['an array holding a number', text('[1]')],
  ['a scalar', text('"AAPL"')],
  ['a comment', text('/* c */{"ticker":"A"}')],
  ['a trailing comma', text('{"ticker":"A",}')],
  ['nesting 1000 deep', text(`{"ticker":${'['.repeat(999)}${']'.repeat(999)}}`)],
  ['nesting 1001 deep', text(`{"ticker":${'['.repeat(1000)}${']'.repeat(1000)}}`)],
  ['nesting 1000 deep in a skipped field', text(`{"x":${'['.repeat(999)}${']'.repeat(999)},"ticker":"A"}`)],
  ['nesting 1001 deep in a skipped field', text(`{"x":${'['.repeat(1000)}${']'.repeat(1000)},"ticker":"A"}`)],
  ['nesting 1001 deep in a top-level array', text(`${'['.repeat(1001)}${']'.repeat(1001)}`)],
  ['UTF-16: 0. and 1000 fraction digits', Buffer.from(`{"price":0.${'0'.repeat(999)}1}`, 'utf16le')],
  ['UTF-16: 0e and 1000 exponent digits', Buffer.from(`{"price":0e${'0'.repeat(999)}1}`, 'utf16le')],
  ['UTF-16: 0. and 1001 fraction digits', Buffer.from(`{"price":0.${'0'.repeat(1000)}1}`, 'utf16le')],
  [
    'UTF-16: 1001 digits across the 4000-character buffer',
    Buffer.from(`{"x":"${'a'.repeat(3000)}","price":1.${'0'.repeat(999)}1}`, 'utf16le'),
  ],
  ['a field name of 50,000 bytes', text(`{"${'n'.repeat(50_000)}":1,"ticker":"A"}`)],
  ['a field name of 50,001 bytes', text(`{"${'n'.repeat(50_001)}":1,"ticker":"A"}`)],
  ['a field name of 25,001 two-byte characters', text(`{"${'é'.repeat(25_001)}":1,"ticker":"A"}`)],
  ['a field name of 50,001 escapes', text(`{"${'\\u0041'.repeat(50_001)}":1,"ticker":"A"}`)],
  ['a field name of 50,001 UTF-16 characters', Buffer.from(`{"${'n'.repeat(50_001)}":1}`, 'utf16le')],
  ['an array of one row', text('[{"ticker":"A","price":1.5}]')],
  ['an array of rows and null', text('[{"ticker":"A"},null]')],
  ['an array of a row, then content', text('[{}]x')],
  ['an array of a row, then a broken row', text('[{"ticker":"A"},{"price":"x"}]')],
  ['a year below -999,999,999', text('{"event_time":"-1000000000-01-01 00:00:00"}')],
  ['the lowest year', text('{"event_time":"-999999999-01-01 00:00:00"}')],
  ['UTF-16: a high surrogate, then a letter', utf16('{"ticker":"\ud800A"}', false, false)],
  ['UTF-16: a high surrogate, then the closing quote', utf16('{"ticker":"\ud800"}', false, false)],
  ['UTF-16: a lone low surrogate', utf16('{"ticker":"\udc00A"}', true, true)],
  ['UTF-16: two high surrogates, then a low one', utf16('{"ticker":"\ud800\ud800\udc00"}', true, false)],
  ['UTF-16: U+FFFE', utf16('{"ticker":"\ufffeA"}', false, true)],
  ['UTF-16: a high surrogate and an odd byte at the end', bytes([0x7b, 0x00, 0x00, 0xd8, 0x20])],
  [
    'UTF-32: an astral character across the 4000-character buffer',
    utf32(`{"x":"${'a'.repeat(3981)}","ticker":"😀😀"}`, true, false),
  ],
  [
    'UTF-32: U+10000 across the 4000-character buffer',
    utf32(`{"x":"${'a'.repeat(3981)}","ticker":"\u{10000}x"}`, true, false),
  ],
  [
    'an overlong 4-byte sequence in a name and in a value',
    bytes('{"ticker":{"a', [0xf0, 0x80, 0x80, 0xaf], '":"', [0xf0, 0x80, 0x80, 0xaf], '"}}'),
  ],
  ['a 4-byte sequence above U+10FFFF in a name', bytes('{"ticker":{"', [0xf4, 0x90, 0x80, 0x80], '":1}}')],
  ['0xFF in "ticker" where the symbol table pads it', bytes('{"tick', [0xff], 'er":"V"}')],
  ['0xFF 0xFF in "ticker"', bytes('{"tick', [0xff, 0xff], 'er":"V"}')],
  ['0xFF 0xFF 0xFF in "ticker"', bytes('{"tick', [0xff, 0xff, 0xff], 'er":"V"}')],
  ['0xFF where the table does not pad', bytes('{"tic', [0xff], 'ker":"V"}')],
  ['0xFF 0xFF 0xFF in "price"', bytes('{"pric', [0xff, 0xff, 0xff], 'e":2}')],
  ['0xFF in "event_time"', bytes('{"event_ti', [0xff], 'me":"2021-01-01 00:00:00"}')],
  ['0xFF in a name met earlier in the value', bytes('{"zz":1,"', [0xff, 0xff], 'zz":2,"ticker":"W"}')],
  ['0xFF in a name not met before', bytes('{"', [0xff, 0xff], 'zz":2,"ticker":"W"}')],
]

// ---------------------------------------------------------------------------------------------------------

let classpath = ''
let fixedOutcomes: FlinkOutcome[] = []

beforeAll(async () => {
  classpath = flinkFormatClasspath()
  fixedOutcomes = await runFlinkFormat(
    classpath,
    FIXED.map(([, value]) => value),
  )
}, 600_000)

describe('lib/flink against the real Flink 2.2 JSON format classes', () => {
  it.each(FIXED.map(([name, value], index) => ({ name, value, index })))('$name', ({ value, index }) => {
    const mismatch = compare(value, fixedOutcomes[index] as FlinkOutcome)
    expect(mismatch, mismatch?.text).toBeUndefined()
  })

  it(`agrees on ${FUZZ_VALUES} fresh values leaning on the edges`, async () => {
    // A new seed each run, so that over time the runs cover far more; FLINK_FORMAT_SEED replays one.
    const seed = Number(process.env.FLINK_FORMAT_SEED ?? randomInt(2 ** 31))
    const values = fc.sample(sourceValue, { seed, numRuns: FUZZ_VALUES })
    const outcomes = await runFlinkFormat(classpath, values)
    const mismatches: Mismatch[] = []
    values.forEach((value, i) => {
      const mismatch = compare(value, outcomes[i] as FlinkOutcome)
      if (mismatch !== undefined) mismatches.push(mismatch)
    })
    const kinds = new Set(outcomes.map((outcome) => outcome.kind))
    const header = `seed ${seed} (FLINK_FORMAT_SEED=${seed} replays it)`
    expect(mismatches.length, mismatches.length === 0 ? '' : report(mismatches, header)).toBe(0)
    // The values reach all three outcomes.
    expect([...kinds].sort()).toEqual(['failed', 'skipped', 'written'])
  })
})
