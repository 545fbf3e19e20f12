/**
 * Reads a source value as the Flink job's JSON format did: Jackson's streaming parser (flink-shaded
 * Jackson 2, with `ALLOW_UNESCAPED_CONTROL_CHARS`, as AbstractJsonDeserializationSchema.open sets) driven
 * by `JsonParserRowDataDeserializationSchema` and `JsonParserToRowDataConverters.createRowConverter`:
 *
 * - the first token must start an object, and reading stops at its closing brace: whatever follows is
 *   never looked at;
 * - each field of the row (`event_time`, `ticker`, `price`) is converted when it is met, so a duplicate
 *   overwrites the earlier one; but after three such fields, duplicates included, the rest of the object
 *   is only skipped (tokenised, never converted);
 * - strict JSON otherwise: double-quoted names, no comments, no trailing commas, no leading zeros, no NaN,
 *   nesting up to 1000, numbers up to 1000 digits (Jackson's StreamReadConstraints).
 *
 * Pure and allocation-light: the values of the three fields are returned as tokens; containers are kept
 * as trees only when a row field holds one.
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
      /** The row fields Flink converted, in order (a later one of the same name wins). */
      readonly fields: readonly FieldRead[]
      /** A row field named more than once anywhere in the object. */
      readonly duplicateField: RowField | undefined
      /** Where the object ended; anything after it was not read. */
      readonly end: number
    }
  | {
      readonly ok: false
      readonly problem: ReadProblem
      readonly detail: string
      /** The row fields read before the problem, which Flink had already converted. */
      readonly fields: readonly FieldRead[]
    }

const MAX_NESTING_DEPTH = 1000
const MAX_NUMBER_DIGITS = 1000
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

function rowField(name: string): RowField | undefined {
  return name === 'event_time' || name === 'ticker' || name === 'price' ? name : undefined
}

const ROW_FIELDS: readonly RowField[] = ['event_time', 'ticker', 'price']
const FIELD_BIT: Record<RowField, number> = { event_time: 1, ticker: 2, price: 4 }

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE
}

function hexValue(code: number): number {
  if (code >= ZERO && code <= NINE) return code - ZERO
  const lower = code | 0x20
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1
}

class JacksonReader {
  pos = 0
  depth = 0
  /** Whether the last number read was a float. */
  float = false
  text = ''
  /** Why the bytes stopped decoding at the end of `text`, if they did. */
  stop: string | undefined

  /** Ready to read `text` from its start (one reader serves every value: reading is synchronous). */
  reset(text: string, stop: string | undefined): this {
    this.text = text
    this.stop = stop
    this.pos = 0
    this.depth = 0
    return this
  }

  fail(detail: string): never {
    throw new ReadFailure('syntax', `the value is not JSON: ${detail} (at character ${this.pos})`)
  }

  /** The parser needed more input than there is. */
  atEnd(): never {
    if (this.stop !== undefined) throw new ReadFailure('encoding', this.stop)
    throw new ReadFailure('syntax', 'the value is not JSON: it ends too early')
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

  /** A string at the opening quote; its decoded text. */
  string(): string {
    const text = this.text
    const start = ++this.pos
    let pos = start
    while (pos < text.length) {
      const code = text.charCodeAt(pos)
      if (code === QUOTE) {
        this.pos = pos + 1
        return text.slice(start, pos)
      }
      if (code === BACKSLASH) break
      pos++
    }
    this.pos = pos
    return this.escapedString(text.slice(start, pos))
  }

  private escapedString(prefix: string): string {
    const text = this.text
    let out = prefix
    let pos = this.pos
    let runStart = pos
    for (;;) {
      if (pos >= text.length) {
        this.pos = pos
        this.atEnd()
      }
      const code = text.charCodeAt(pos)
      if (code === QUOTE) {
        this.pos = pos + 1
        return out + text.slice(runStart, pos)
      }
      if (code !== BACKSLASH) {
        pos++
        continue
      }
      out += text.slice(runStart, pos)
      this.pos = pos
      if (pos + 1 >= text.length) this.atEnd()
      const escaped = text.charCodeAt(pos + 1)
      pos += 2
      switch (escaped) {
        case QUOTE:
        case BACKSLASH:
        case 0x2f:
          out += String.fromCharCode(escaped)
          break
        case 0x62:
          out += '\b'
          break
        case 0x66:
          out += '\f'
          break
        case 0x6e:
          out += '\n'
          break
        case 0x72:
          out += '\r'
          break
        case 0x74:
          out += '\t'
          break
        case 0x75: {
          let unit = 0
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
          out += String.fromCharCode(unit)
          break
        }
        default:
          this.fail('an unknown escape in a string')
      }
      runStart = pos
    }
  }

  number(): JsonValue {
    const text = this.numberText()
    return { kind: 'number', text, float: this.float }
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
    let digits = pos - integerStart
    let float = false
    code = text.charCodeAt(pos)
    if (code === 0x2e) {
      float = true
      const fractionStart = ++pos
      while (isDigit(text.charCodeAt(pos))) pos++
      if (pos === fractionStart) {
        this.pos = pos
        if (pos >= text.length) this.atEnd()
        this.fail('a decimal point not followed by a digit')
      }
      digits += pos - fractionStart
      code = text.charCodeAt(pos)
    }
    if (code === 0x65 || code === 0x45) {
      float = true
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
      digits += pos - exponentStart
    }
    this.pos = pos
    if (digits > MAX_NUMBER_DIGITS) this.fail(`a number longer than ${MAX_NUMBER_DIGITS} digits`)
    this.float = float
    return text.slice(start, pos)
  }

  literal(word: 'true' | 'false' | 'null'): JsonValue {
    const text = this.text
    for (let i = 0; i < word.length; i++) {
      if (this.pos + i >= text.length) {
        this.pos += i
        this.atEnd()
      }
      if (text.charCodeAt(this.pos + i) !== word.charCodeAt(i)) this.fail('an unrecognised token')
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
        const name = this.fieldName(code)
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

  /** A field name and its colon, at the name's opening quote. */
  fieldName(code: number): string {
    if (code !== QUOTE) this.expected('a double-quoted field name', code)
    const name = this.string()
    this.colon()
    return name
  }

  colon(): void {
    const colon = this.next()
    if (colon !== COLON) this.expected('a colon', colon)
    this.pos++
  }

  /** A root field's name and its colon: which row field it is, if any, read without copying the name. */
  rowFieldName(code: number): RowField | undefined {
    if (code !== QUOTE) this.expected('a double-quoted field name', code)
    const text = this.text
    const start = this.pos + 1
    let field: RowField | undefined
    for (const name of ROW_FIELDS) {
      if (text.charCodeAt(start + name.length) === QUOTE && text.startsWith(name, start)) {
        field = name
        this.pos = start + name.length + 1
        break
      }
    }
    // Any other name, escapes included, is decoded in full.
    if (field === undefined) field = rowField(this.string())
    this.colon()
    return field
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

  expected(what: string, code: number): never {
    if (code === -1) this.atEnd()
    return this.fail(`expected ${what}`)
  }

  /** The root object, read as Flink's row converter reads it. */
  row(fields: FieldRead[]): RowRead {
    const first = this.next()
    if (first !== OPEN_OBJECT) {
      if (first === -1) {
        if (this.stop !== undefined) throw new ReadFailure('encoding', this.stop)
        throw new ReadFailure('blank', 'the value has no JSON in it')
      }
      if (first === OPEN_ARRAY || first === QUOTE || first === 0x74 || first === 0x66 || first === 0x6e) {
        throw new ReadFailure('not-an-object', 'the value is not a JSON object')
      }
      if (first === MINUS || isDigit(first))
        throw new ReadFailure('not-an-object', 'the value is not a JSON object')
      this.fail('an unexpected character where the value should start')
    }
    this.enter()
    let converted = 0
    let seen = 0
    let duplicateField: RowField | undefined
    let code = this.next()
    if (code !== CLOSE_OBJECT) {
      for (;;) {
        const field = this.rowFieldName(code)
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
    return { ok: true, fields, duplicateField, end: this.pos }
  }
}

/**
 * Reads the row fields of a value's text (see jacksonText for bytes); `stop` is why the bytes could not be
 * decoded past the end of `text`, if so.
 */
const reader = new JacksonReader()

export function readRow(text: string, stop?: string): RowRead {
  const fields: FieldRead[] = []
  try {
    return reader.reset(text, stop).row(fields)
  } catch (error) {
    if (!(error instanceof ReadFailure)) throw error
    return { ok: false, problem: error.problem, detail: error.detail, fields }
  }
}
