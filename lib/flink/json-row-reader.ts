import type { JacksonText } from './jackson-bytes.js'

/**
 * Reads a source value as the Flink job's JSON format did: Jackson's streaming parser (flink-shaded Jackson
 * 2.18, with `ALLOW_UNESCAPED_CONTROL_CHARS`, as AbstractJsonDeserializationSchema.open sets) driven by
 * `JsonParserRowDataDeserializationSchema` (its Collector form, which the Kafka source calls) and
 * `JsonParserToRowDataConverters.createRowConverter`:
 *
 * - the value is one object, one row; or an array of objects, a row each (`null` or another value in the
 *   array fails); reading stops at the end of that first value, and whatever follows is never looked at;
 * - each field of a row (`event_time`, `ticker`, `price`) is converted when it is met, so a duplicate
 *   overwrites the earlier one; but after three such fields, duplicates included, the rest of the object
 *   is only skipped (tokenised, never converted);
 * - strict JSON otherwise: double-quoted names, no comments, no trailing commas, no leading zeros, no NaN;
 *   and Jackson's StreamReadConstraints: nesting up to 1000, numbers up to 1000 digits, names up to
 *   50,000 bytes.
 *
 * Pure and allocation-light: the values of the row fields are returned as tokens; containers are kept as
 * trees only when a row field holds one.
 */
export type RowField = 'event_time' | 'ticker' | 'price'

export type JsonValue =
  | { readonly kind: 'string'; readonly text: string }
  /** `float`: Jackson's VALUE_NUMBER_FLOAT (a fraction or an exponent), else VALUE_NUMBER_INT. */
  | { readonly kind: 'number'; readonly text: string; readonly float: boolean }
  | { readonly kind: 'true' | 'false' | 'null' }
  /** Jackson's ObjectNode: a repeated name keeps its first place and takes the last value. */
  | { readonly kind: 'object'; readonly entries: Map<string, JsonValue> }
  | { readonly kind: 'array'; readonly items: JsonValue[] }

/** A row field's value as it was met (one object per field: this is the hot path). */
export type FieldRead = JsonValue & { readonly field: RowField }

export type ReadProblem = 'blank' | 'not-an-object' | 'syntax' | 'encoding'

export type RowRead =
  | {
      readonly ok: true
      /** Each row's fields in the order Flink converted them (a later one of the same name wins). */
      readonly rows: readonly (readonly FieldRead[])[]
      /** The value was an array of rows rather than one object. */
      readonly array: boolean
      /** A row field named more than once in an object. */
      readonly duplicateField: RowField | undefined
      /** Where the value ended; anything after it was not read. */
      readonly end: number
    }
  | {
      readonly ok: false
      readonly problem: ReadProblem
      readonly detail: string
      /** The rows read before the problem, whose fields Flink had already converted. */
      readonly rows: readonly (readonly FieldRead[])[]
    }

const MAX_NESTING_DEPTH = 1000
const MAX_NUMBER_DIGITS = 1000
const MAX_NAME_BYTES = 50_000
const ROW_ARITY = 3

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const MINUS = 0x2d
const ZERO = 0x30
const NINE = 0x39

const NULL_VALUE: JsonValue = { kind: 'null' }
const TRUE_VALUE: JsonValue = { kind: 'true' }
const FALSE_VALUE: JsonValue = { kind: 'false' }

class ReadFailure extends Error {
  constructor(
    readonly problem: ReadProblem,
    readonly detail: string,
  ) {
    super(detail)
  }
}

const ROW_FIELDS: readonly RowField[] = ['event_time', 'ticker', 'price']
const FIELD_BIT: Record<RowField, number> = { event_time: 1, ticker: 2, price: 4 }

function rowField(name: string): RowField | undefined {
  return name === 'event_time' || name === 'ticker' || name === 'price' ? name : undefined
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE
}

function hexValue(code: number): number {
  if (code >= ZERO && code <= NINE) return code - ZERO
  const lower = code | 0x20
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1
}

function utf8Length(unit: number): number {
  return unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3
}

/**
 * A name's key in Jackson's symbol table (ByteQuadsCanonicalizer): its bytes in groups of four, the last
 * group padded with 0xFF in front (UTF8StreamJsonParser._padLastQuad). Names with the same key are the
 * same name to Jackson.
 */
function quadKey(bytes: readonly number[]): string {
  const padded = [...bytes]
  const partial = padded.length % 4
  if (partial !== 0) padded.splice(padded.length - partial, 0, ...new Array<number>(4 - partial).fill(0xff))
  return padded.join(',')
}

/** UTF-8 of each code unit on its own, as Jackson encodes a name's escapes (a surrogate takes 3 bytes). */
function utf8Bytes(text: string): number[] {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) bytes.push(unit)
    else if (unit < 0x800) bytes.push(0xc0 | (unit >> 6), 0x80 | (unit & 0x3f))
    else bytes.push(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f))
  }
  return bytes
}

class JacksonReader {
  pos = 0
  depth = 0
  /** Whether the last number read was a float. */
  float = false
  text = ''
  source: JacksonText = { text: '', wellFormedUtf8: true, encoding: 'utf8' }
  /** Malformed UTF-8: the names the parser's symbol table knows, by key (see quadKey). */
  knownNames: Map<string, string> | undefined

  /** Ready to read `source` from its start (one reader serves every value: reading is synchronous). */
  reset(source: JacksonText): this {
    this.source = source
    this.text = source.text
    this.pos = 0
    this.depth = 0
    this.knownNames =
      source.badBytes !== undefined && source.badBytes.size > 0
        ? new Map(ROW_FIELDS.map((name) => [quadKey(utf8Bytes(name)), name]))
        : undefined
    return this
  }

  fail(detail: string): never {
    if (this.source.badBytes?.has(this.pos)) {
      throw new ReadFailure('encoding', 'the value has an invalid UTF-8 start byte 0xff')
    }
    throw new ReadFailure('syntax', `the value is not JSON: ${detail} (at character ${this.pos})`)
  }

  /** The parser needed more input than there is. */
  atEnd(): never {
    if (this.source.stop !== undefined) throw new ReadFailure('encoding', this.source.stop)
    throw new ReadFailure('syntax', 'the value is not JSON: it ends too early')
  }

  /** A byte the parser cannot decode, met inside a string it reads or skips. */
  checkBadBytes(start: number, end: number): void {
    const bad = this.source.badBytes
    if (bad === undefined || bad.size === 0) return
    for (let i = start; i < end; i++) {
      if (bad.has(i)) {
        this.pos = i
        this.fail('an invalid byte')
      }
    }
  }

  /** Skips JSON whitespace; the next character's code, or -1 at the end. */
  next(): number {
    const text = this.text
    let pos = this.pos
    while (pos < text.length) {
      const code = text.charCodeAt(pos)
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break
      pos++
    }
    this.pos = pos
    return pos < text.length ? text.charCodeAt(pos) : -1
  }

  /** The end of a string whose opening quote is at pos - 1 (no escapes), or -1 at an escape. */
  plainStringEnd(): number {
    const text = this.text
    let pos = this.pos
    while (pos < text.length) {
      const code = text.charCodeAt(pos)
      if (code === QUOTE) return pos
      if (code === BACKSLASH) return -1
      pos++
    }
    return -1
  }

  /** A string value at its opening quote; its decoded text. */
  string(): string {
    const start = ++this.pos
    const end = this.plainStringEnd()
    if (end >= 0) {
      this.checkBadBytes(start, end)
      this.pos = end + 1
      return this.text.slice(start, end)
    }
    const decoded = this.escapedString(start)
    this.checkBadBytes(start, this.pos - 1)
    return decoded.text
  }

  /**
   * The rest of a string from `start` (just after the opening quote), escapes decoded. `escapedBytes`:
   * what its escapes count for in Jackson's name length (each escaped unit's UTF-8 length).
   */
  escapedString(start: number): { text: string; escapedBytes: number; escapes: [number, number][] } {
    const text = this.text
    let out = ''
    let escapedBytes = 0
    const escapes: [number, number][] = []
    let pos = start
    let runStart = pos
    for (;;) {
      if (pos >= text.length) {
        this.pos = pos
        this.atEnd()
      }
      const code = text.charCodeAt(pos)
      if (code === QUOTE) {
        this.pos = pos + 1
        return { text: out + text.slice(runStart, pos), escapedBytes, escapes }
      }
      if (code !== BACKSLASH) {
        pos++
        continue
      }
      out += text.slice(runStart, pos)
      this.pos = pos
      if (pos + 1 >= text.length) this.atEnd()
      const escapeStart = pos
      const escaped = text.charCodeAt(pos + 1)
      pos += 2
      let unit: number
      switch (escaped) {
        case QUOTE:
        case BACKSLASH:
        case 0x2f:
          unit = escaped
          break
        case 0x62:
          unit = 0x08
          break
        case 0x66:
          unit = 0x0c
          break
        case 0x6e:
          unit = 0x0a
          break
        case 0x72:
          unit = 0x0d
          break
        case 0x74:
          unit = 0x09
          break
        case 0x75: {
          unit = 0
          for (let i = 0; i < 4; i++, pos++) {
            if (pos >= text.length) {
              this.pos = pos
              this.atEnd()
            }
            const digit = hexValue(text.charCodeAt(pos))
            if (digit < 0) {
              this.pos = pos
              this.fail('a \\u escape needs four hex digits')
            }
            unit = unit * 16 + digit
          }
          break
        }
        default:
          return this.fail('an unknown escape in a string')
      }
      out += String.fromCharCode(unit)
      escapedBytes += utf8Length(unit)
      escapes.push([escapeStart, unit])
      runStart = pos
    }
  }

  /**
   * A field name and its colon, at the name's opening quote: the name as Jackson resolves it. A name that
   * matches a row field (the fast case) is recognised without copying it.
   */
  name(code: number): string {
    if (code !== QUOTE) this.expected('a double-quoted field name', code)
    const text = this.text
    const start = this.pos + 1
    for (const field of ROW_FIELDS) {
      if (text.charCodeAt(start + field.length) === QUOTE && text.startsWith(field, start)) {
        this.pos = start + field.length + 1
        this.colon()
        return field
      }
    }
    this.pos = start
    const end = this.plainStringEnd()
    let name: string
    if (end >= 0) {
      this.pos = end + 1
      this.checkNameLength(start, end, 0)
      name = this.source.bytesOf === undefined ? text.slice(start, end) : this.lenientName(start, end, [])
    } else {
      const decoded = this.escapedString(start)
      const rawEnd = this.pos - 1
      this.checkNameLength(start, rawEnd, decoded.escapedBytes, decoded.escapes.length)
      name =
        this.source.bytesOf === undefined ? decoded.text : this.lenientName(start, rawEnd, decoded.escapes)
    }
    this.colon()
    return name
  }

  /** Jackson's 50,000-byte limit on a name: UTF-8 bytes of the input (escapes as the unit they make). */
  checkNameLength(start: number, end: number, escapedBytes: number, escapeCount = 0): void {
    // A character is at most 4 bytes; only long names need counting.
    if ((end - start) * 4 <= MAX_NAME_BYTES) return
    const { encoding, bytesOf } = this.source
    let length: number
    if (encoding !== 'utf8') {
      length = end - start - this.escapeChars(start, end) + escapeCount
    } else {
      const rawChars = this.text.slice(start, end).replaceAll(/\\(u[0-9A-Fa-f]{4}|.)/g, '')
      length =
        (bytesOf === undefined ? Buffer.byteLength(rawChars, 'utf8') : this.rawByteLength(start, end)) +
        escapedBytes
    }
    if (length > MAX_NAME_BYTES) {
      this.pos = start
      this.fail(`a field name of ${length} (more than ${MAX_NAME_BYTES})`)
    }
  }

  /** How many characters of the input the escapes between start and end take. */
  escapeChars(start: number, end: number): number {
    let count = 0
    for (const match of this.text.slice(start, end).matchAll(/\\(u[0-9A-Fa-f]{4}|.)/g))
      count += match[0].length
    return count
  }

  /** Malformed UTF-8: the input bytes of a name, less its escapes. */
  rawByteLength(start: number, end: number): number {
    const bytes = this.source.bytesOf?.(start, end) ?? new Uint8Array()
    return bytes.length - this.escapeChars(start, end)
  }

  /**
   * Malformed UTF-8: the name Jackson makes of the bytes between start and end. It looks the raw bytes up
   * in its symbol table first (escapes as the UTF-8 of what they make), padding the last group of four
   * with 0xFF: a name found there is that name, however its bytes would decode. Otherwise it decodes the
   * bytes, and a byte 0xFF fails; a 4-byte form takes its name-specific surrogate (nameUnits).
   */
  lenientName(start: number, end: number, escapes: readonly [number, number][]): string {
    const key: number[] = []
    let pos = start
    for (const [at, unit] of escapes) {
      key.push(...(this.source.bytesOf?.(pos, at) ?? []))
      key.push(...utf8Bytes(String.fromCharCode(unit)))
      pos = at + (this.text.charCodeAt(at + 1) === 0x75 ? 6 : 2)
    }
    key.push(...(this.source.bytesOf?.(pos, end) ?? []))
    const known = this.knownNames?.get(quadKey(key))
    if (known !== undefined) return known
    this.checkBadBytes(start, end)
    let name = ''
    let nextEscape = 0
    for (let i = start; i < end; i++) {
      const next = escapes[nextEscape]
      if (next !== undefined && next[0] === i) {
        name += String.fromCharCode(next[1])
        i += this.text.charCodeAt(i + 1) === 0x75 ? 5 : 1
        nextEscape++
      } else {
        name += String.fromCharCode(this.source.nameUnits?.get(i) ?? this.text.charCodeAt(i))
      }
    }
    this.knownNames?.set(quadKey(key), name)
    return name
  }

  colon(): void {
    const colon = this.next()
    if (colon !== COLON) this.expected('a colon', colon)
    this.pos++
  }

  /**
   * A number at its first character (`-` or a digit), checked against Jackson's grammar; `float` tells
   * whether it had a fraction or an exponent.
   */
  numberText(): string {
    const text = this.text
    const start = this.pos
    let pos = start
    if (text.charCodeAt(pos) === MINUS) pos++
    const integerStart = pos
    if (pos >= text.length) {
      this.pos = pos
      this.atEnd()
    }
    let code = text.charCodeAt(pos)
    if (!isDigit(code)) {
      this.pos = pos
      this.fail('a minus sign not followed by a digit')
    }
    pos++
    if (code === ZERO && isDigit(text.charCodeAt(pos))) {
      this.pos = pos
      this.fail('a number with a leading zero')
    }
    while (isDigit(text.charCodeAt(pos))) pos++
    const integerDigits = pos - integerStart
    let fractionDigits = -1
    let exponentDigits = -1
    code = text.charCodeAt(pos)
    if (code === 0x2e) {
      const fractionStart = ++pos
      while (isDigit(text.charCodeAt(pos))) pos++
      if (pos === fractionStart) {
        this.pos = pos
        if (pos >= text.length) this.atEnd()
        this.fail('a decimal point not followed by a digit')
      }
      fractionDigits = pos - fractionStart
      code = text.charCodeAt(pos)
    }
    if (code === 0x65 || code === 0x45) {
      pos++
      code = text.charCodeAt(pos)
      if (code === 0x2b || code === MINUS) pos++
      const exponentStart = pos
      while (isDigit(text.charCodeAt(pos))) pos++
      if (pos === exponentStart) {
        this.pos = pos
        if (pos >= text.length) this.atEnd()
        this.fail('an exponent without digits')
      }
      exponentDigits = pos - exponentStart
    }
    this.pos = pos
    this.float = fractionDigits >= 0 || exponentDigits >= 0
    const digits = this.float
      ? integerDigits +
        this.missingAsMinusOne(start, pos, fractionDigits) +
        this.missingAsMinusOne(start, pos, exponentDigits)
      : integerDigits
    if (digits > MAX_NUMBER_DIGITS) this.fail(`a number longer than ${MAX_NUMBER_DIGITS} digits`)
    return text.slice(start, pos)
  }

  /**
   * A number part's digits for Jackson's length limit. A missing part counts 0, except on the character
   * parser's slow path (UTF-16/32 input, a number starting with 0 or -0 or running into the end of a
   * 4000-character buffer), whose ReaderBasedJsonParser._parseNumber2 passes it as -1.
   */
  missingAsMinusOne(start: number, end: number, digits: number): number {
    if (digits >= 0) return digits
    if (this.source.encoding === 'utf8') return 0
    const text = this.text
    const first = text.charCodeAt(start) === MINUS ? start + 1 : start
    if (text.charCodeAt(first) === ZERO) return -1
    const bufferEnd = (this.source.bufferStarts ?? []).find((s) => s > start) ?? Number.POSITIVE_INFINITY
    // The fast path must see the character after the number in the same buffer.
    return end >= bufferEnd || end >= text.length ? -1 : 0
  }

  number(): JsonValue {
    const text = this.numberText()
    return { kind: 'number', text, float: this.float }
  }

  literal(word: 'true' | 'false' | 'null'): JsonValue {
    const text = this.text
    for (let i = 0; i < word.length; i++) {
      if (this.pos + i >= text.length) {
        this.pos += i
        this.atEnd()
      }
      if (text.charCodeAt(this.pos + i) !== word.charCodeAt(i)) {
        this.pos += i
        this.fail('an unrecognised token')
      }
    }
    this.pos += word.length
    return word === 'null' ? NULL_VALUE : word === 'true' ? TRUE_VALUE : FALSE_VALUE
  }

  /** Any value at its first character; trees are built only when `keep` (a row field holds it). */
  value(code: number, keep: boolean): JsonValue {
    switch (code) {
      case QUOTE:
        return { kind: 'string', text: this.string() }
      case OPEN_OBJECT:
        return this.object(keep)
      case OPEN_ARRAY:
        return this.array(keep)
      case 0x74:
        return this.literal('true')
      case 0x66:
        return this.literal('false')
      case 0x6e:
        return this.literal('null')
      case -1:
        return this.atEnd()
      default:
        if (code === MINUS || isDigit(code)) return this.number()
        return this.fail('an unexpected character where a value belongs')
    }
  }

  /** A row field's value: as value(), with the field's name on the same object. */
  field(field: RowField, code: number): FieldRead {
    switch (code) {
      case QUOTE:
        return { field, kind: 'string', text: this.string() }
      case MINUS:
      case ZERO:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
      case 0x38:
      case NINE: {
        const text = this.numberText()
        return { field, kind: 'number', text, float: this.float }
      }
      default:
        return { field, ...this.value(code, true) }
    }
  }

  enter(): void {
    this.pos++
    if (++this.depth > MAX_NESTING_DEPTH) this.fail(`nesting deeper than ${MAX_NESTING_DEPTH}`)
  }

  object(keep: boolean): JsonValue {
    this.enter()
    const entries = new Map<string, JsonValue>()
    let code = this.next()
    if (code !== CLOSE_OBJECT) {
      for (;;) {
        const name = this.name(code)
        const value = this.value(this.next(), keep)
        if (keep) entries.set(name, value)
        code = this.next()
        if (code === COMMA) {
          this.pos++
          code = this.next()
          continue
        }
        if (code !== CLOSE_OBJECT) this.expected('a comma or a closing brace', code)
        break
      }
    }
    this.pos++
    this.depth--
    return { kind: 'object', entries }
  }

  array(keep: boolean): JsonValue {
    this.enter()
    const items: JsonValue[] = []
    let code = this.next()
    if (code !== CLOSE_ARRAY) {
      for (;;) {
        const item = this.value(code, keep)
        if (keep) items.push(item)
        code = this.next()
        if (code === COMMA) {
          this.pos++
          code = this.next()
          continue
        }
        if (code !== CLOSE_ARRAY) this.expected('a comma or a closing bracket', code)
        break
      }
    }
    this.pos++
    this.depth--
    return { kind: 'array', items }
  }

  expected(what: string, code: number): never {
    if (code === -1) this.atEnd()
    return this.fail(`expected ${what}`)
  }

  /** One row: an object, read as Flink's row converter reads it. */
  row(fields: FieldRead[]): RowField | undefined {
    this.enter()
    let converted = 0
    let seen = 0
    let duplicateField: RowField | undefined
    let code = this.next()
    if (code !== CLOSE_OBJECT) {
      for (;;) {
        const field = rowField(this.name(code))
        if (field !== undefined && converted < ROW_ARITY) {
          fields.push(this.field(field, this.next()))
          converted++
        } else {
          this.value(this.next(), false)
        }
        if (field !== undefined) {
          if ((seen & FIELD_BIT[field]) !== 0) duplicateField ??= field
          seen |= FIELD_BIT[field]
        }
        code = this.next()
        if (code === COMMA) {
          this.pos++
          code = this.next()
          continue
        }
        if (code !== CLOSE_OBJECT) this.expected('a comma or a closing brace', code)
        break
      }
    }
    this.pos++
    this.depth--
    return duplicateField
  }

  /** The root value: an object (one row) or an array of objects (a row each). */
  rows(rows: FieldRead[][]): RowRead {
    const first = this.next()
    if (first === OPEN_OBJECT) {
      const fields: FieldRead[] = []
      rows.push(fields)
      const duplicateField = this.row(fields)
      return { ok: true, rows, array: false, duplicateField, end: this.pos }
    }
    if (first === OPEN_ARRAY) return this.arrayOfRows(rows)
    if (first === -1) {
      if (this.source.stop !== undefined) throw new ReadFailure('encoding', this.source.stop)
      throw new ReadFailure('blank', 'the value has no JSON in it')
    }
    if (
      first === QUOTE ||
      first === 0x74 ||
      first === 0x66 ||
      first === 0x6e ||
      first === MINUS ||
      isDigit(first)
    ) {
      throw new ReadFailure('not-an-object', 'the value is not a JSON object or an array of objects')
    }
    return this.fail('an unexpected character where the value should start')
  }

  /** JsonParserRowDataDeserializationSchema's array case: each element converted as a row, in order. */
  arrayOfRows(rows: FieldRead[][]): RowRead {
    this.enter()
    let duplicateField: RowField | undefined
    let code = this.next()
    if (code !== CLOSE_ARRAY) {
      for (;;) {
        if (code === OPEN_OBJECT) {
          const fields: FieldRead[] = []
          rows.push(fields)
          const duplicate = this.row(fields)
          duplicateField ??= duplicate
        } else {
          // Read first: the element's own syntax errors come before the conversion's.
          const element = this.value(code, false)
          throw new ReadFailure(
            'not-an-object',
            element.kind === 'null'
              ? 'the value is an array holding null, on which Flink fails'
              : 'the value is an array holding something other than objects',
          )
        }
        code = this.next()
        if (code === COMMA) {
          this.pos++
          code = this.next()
          continue
        }
        if (code !== CLOSE_ARRAY) this.expected('a comma or a closing bracket', code)
        break
      }
    }
    this.pos++
    this.depth--
    return { ok: true, rows, array: true, duplicateField, end: this.pos }
  }
}

const reader = new JacksonReader()

/**
 * Reads the rows of a value: its text as jacksonText makes it from the bytes, or plain text for a value
 * of well-formed UTF-8 (ASCII, say) known already.
 */
export function readRow(source: JacksonText | string): RowRead {
  const rows: FieldRead[][] = []
  try {
    return reader
      .reset(typeof source === 'string' ? { text: source, wellFormedUtf8: true, encoding: 'utf8' } : source)
      .rows(rows)
  } catch (error) {
    if (!(error instanceof ReadFailure)) throw error
    return { ok: false, problem: error.problem, detail: error.detail, rows }
  }
}
