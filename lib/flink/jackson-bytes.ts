import { isUtf8 } from 'node:buffer'

/**
 * A value's bytes turned into text the way Jackson's parser sees them (Flink's JSON format reads the raw
 * bytes with `ObjectMapper.getFactory().createParser(byte[])`):
 *
 * - ByteSourceJsonBootstrapper picks the encoding: a UTF-32/UTF-16/UTF-8 byte order mark, else zero bytes
 *   among the first four (`00 00 00 xx` is UTF-32BE, `00 xx` UTF-16BE, ...), else UTF-8.
 * - UTF8StreamJsonParser decodes UTF-8 by bit pattern only: overlong forms and encoded surrogates pass; a
 *   bad lead or continuation byte is an error, but only when the parser reaches it (nothing after the root
 *   value is read). Field names are looked up by their raw bytes before they are decoded, so a byte 0xFF
 *   in a name can match a known name (see json-row-reader.ts), and a name builds the high surrogate of a
 *   4-byte form with `+` where a string value uses `|` (they differ for overlong forms).
 * - UTF-16 goes through Java's InputStreamReader (sun.nio.cs.UnicodeDecoder: malformed units become
 *   U+FFFD), UTF-32 through Jackson's UTF32Reader; both fill the parser's buffer 4000 characters at a
 *   time, which shows in two places: UTF32Reader loses part of an astral character split across buffers,
 *   and the parser's number scanning takes a slower path across a buffer's end.
 */
export type JacksonEncoding = 'utf8' | 'utf16' | 'utf32'

export interface JacksonText {
  readonly text: string
  /** Set when the bytes could not be decoded past `text`. */
  readonly stop?: string
  /** True when the bytes are UTF-8 (with or without a BOM) that any strict decoder accepts. */
  readonly wellFormedUtf8: boolean
  readonly encoding: JacksonEncoding
  /** UTF-16/32: where each 4000-character buffer of the parser starts, after the first. */
  readonly bufferStarts?: readonly number[]
  /** Malformed UTF-8 only: the indices of `text` standing for a byte 0xFF (as U+FFFF). */
  readonly badBytes?: ReadonlySet<number>
  /** Malformed UTF-8 only: the unit a field name holds at these indices (overlong 4-byte forms). */
  readonly nameUnits?: ReadonlyMap<number, number>
  /** Malformed UTF-8 only: the input bytes behind `text` from `start` to `end`. */
  readonly bytesOf?: (start: number, end: number) => Uint8Array
}

/** The parser's input buffer: ReaderBasedJsonParser reads 4000 characters at a time. */
export const PARSER_BUFFER_CHARS = 4000

/** A stand-in for a byte 0xFF in malformed UTF-8; badBytes says which U+FFFF are stand-ins. */
const BAD_BYTE = 0xffff

/** String.fromCharCode over many code units, in slices small enough for the argument list. */
function fromUnits(units: readonly number[]): string {
  let text = ''
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192))
  return text
}

/**
 * Jackson's UTF32Reader, 4000 characters per read. When an astral character's high surrogate takes a
 * buffer's last place, its low surrogate waits for the next read, but as `(char)(codePoint - 0x10000)`,
 * and not at all when that is 0 (Jackson's code, reproduced).
 */
function utf32(bytes: Uint8Array, start: number, bigEndian: boolean): JacksonText {
  const units: number[] = []
  const bufferStarts: number[] = []
  let slot = 0
  const put = (unit: number) => {
    if (slot === PARSER_BUFFER_CHARS) {
      bufferStarts.push(units.length)
      slot = 0
    }
    units.push(unit)
    slot++
  }
  const done = (stop?: string): JacksonText => ({
    text: fromUnits(units),
    ...(stop === undefined ? {} : { stop }),
    wellFormedUtf8: false,
    encoding: 'utf32',
    bufferStarts,
  })
  for (let i = start; i < bytes.length; i += 4) {
    if (i + 4 > bytes.length) return done('the value ends inside a UTF-32 character')
    const b0 = bytes[i] as number
    const b1 = bytes[i + 1] as number
    const b2 = bytes[i + 2] as number
    const b3 = bytes[i + 3] as number
    const code = bigEndian
      ? ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0
      : ((b3 << 24) | (b2 << 16) | (b1 << 8) | b0) >>> 0
    if (code > 0x10ffff) return done('the value has an invalid UTF-32 character')
    if (code <= 0xffff) {
      put(code)
      continue
    }
    const offset = code - 0x10000
    const splits = slot === PARSER_BUFFER_CHARS - 1
    put(0xd800 + (offset >> 10))
    if (!splits) put(0xdc00 | (offset & 0x3ff))
    else if ((offset & 0xffff) !== 0) put(offset & 0xffff)
  }
  return done()
}

/**
 * Java's UTF-16 decoder (sun.nio.cs.UnicodeDecoder, replacing what is malformed), read into 4000-character
 * buffers: a surrogate pair is never split, so a buffer ends one short when a pair would take its last place.
 */
function utf16(bytes: Uint8Array, start: number, bigEndian: boolean): JacksonText {
  const at = (i: number) =>
    bigEndian
      ? ((bytes[i] as number) << 8) | (bytes[i + 1] as number)
      : ((bytes[i + 1] as number) << 8) | (bytes[i] as number)
  const units: number[] = []
  const bufferStarts: number[] = []
  let slot = 0
  const put = (...chars: number[]) => {
    if (slot + chars.length > PARSER_BUFFER_CHARS) {
      bufferStarts.push(units.length)
      slot = 0
    }
    units.push(...chars)
    slot += chars.length
  }
  let i = start
  while (bytes.length - i >= 2) {
    const unit = at(i)
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      put(0xfffd)
      i += 2
    } else if (unit >= 0xd800 && unit <= 0xdbff) {
      if (bytes.length - i < 4) break
      const next = at(i + 2)
      if (next >= 0xdc00 && next <= 0xdfff) put(unit, next)
      else put(0xfffd)
      i += 4
    } else {
      put(unit)
      i += 2
    }
  }
  if (i < bytes.length) put(0xfffd)
  return { text: fromUnits(units), wellFormedUtf8: false, encoding: 'utf16', bufferStarts }
}

/** UTF8StreamJsonParser's decoding of malformed UTF-8 (see above), with what the reader needs of it. */
function lenientUtf8(bytes: Uint8Array, start: number): JacksonText {
  const units: number[] = []
  /** The input offset of each unit, and one past the end. */
  const offsets: number[] = []
  const badBytes = new Set<number>()
  const nameUnits = new Map<number, number>()
  let i = start
  const done = (stop?: string): JacksonText => {
    offsets.push(i)
    return {
      text: fromUnits(units),
      ...(stop === undefined ? {} : { stop }),
      wellFormedUtf8: false,
      encoding: 'utf8',
      badBytes,
      nameUnits,
      bytesOf: (from, to) => bytes.subarray(offsets[from] ?? i, offsets[to] ?? i),
    }
  }
  while (i < bytes.length) {
    const lead = bytes[i] as number
    let needed: number
    let code: number
    if (lead < 0x80) {
      offsets.push(i)
      units.push(lead)
      i++
      continue
    }
    if (lead === 0xff) {
      // Fatal where the parser meets it, unless it is in a field name that matches a known one.
      badBytes.add(units.length)
      offsets.push(i)
      units.push(BAD_BYTE)
      i++
      continue
    }
    if ((lead & 0xe0) === 0xc0) [needed, code] = [1, lead & 0x1f]
    else if ((lead & 0xf0) === 0xe0) [needed, code] = [2, lead & 0x0f]
    else if ((lead & 0xf8) === 0xf0) [needed, code] = [3, lead & 0x07]
    else return done(`the value has an invalid UTF-8 start byte 0x${lead.toString(16)}`)
    if (i + needed >= bytes.length) return done('the value ends inside a UTF-8 character')
    for (let k = 1; k <= needed; k++) {
      const next = bytes[i + k] as number
      if ((next & 0xc0) !== 0x80)
        return done(`the value has an invalid UTF-8 middle byte 0x${next.toString(16)}`)
      code = (code << 6) | (next & 0x3f)
    }
    offsets.push(i)
    if (needed === 3) {
      const offset = code - 0x10000
      // A string value builds the high surrogate with `|`, a name with `+`: different for overlong forms.
      if (offset < 0) nameUnits.set(units.length, (0xd800 + (offset >> 10)) & 0xffff)
      units.push((0xd800 | (offset >> 10)) & 0xffff, 0xdc00 | (offset & 0x3ff))
      offsets.push(i)
    } else {
      units.push(code)
    }
    i += needed + 1
  }
  return done()
}

function weirdUcs4(order: string): JacksonText {
  return {
    text: '',
    stop: `the value is in an unsupported UCS-4 byte order (${order})`,
    wellFormedUtf8: false,
    encoding: 'utf32',
  }
}

function utf8(bytes: Uint8Array, start: number): JacksonText {
  const body = start === 0 ? bytes : bytes.subarray(start)
  if (isUtf8(body)) {
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    return { text: buffer.toString('utf8'), wellFormedUtf8: true, encoding: 'utf8' }
  }
  return lenientUtf8(bytes, start)
}

/** The text Jackson parses from these bytes (see above). */
export function jacksonText(bytes: Uint8Array): JacksonText {
  const b0 = bytes[0] ?? 0
  const b1 = bytes[1] ?? 0
  if (bytes.length >= 4) {
    const quad = ((b0 << 24) | (b1 << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number)) >>> 0
    if (quad === 0x0000feff) return utf32(bytes, 4, true)
    if (quad === 0xfffe0000) return utf32(bytes, 4, false)
    if (quad === 0x0000fffe) return weirdUcs4('2143')
    if (quad === 0xfeff0000) return weirdUcs4('3412')
    if (quad >>> 16 === 0xfeff) return utf16(bytes, 2, true)
    if (quad >>> 16 === 0xfffe) return utf16(bytes, 2, false)
    if (quad >>> 8 === 0xefbbbf) return utf8(bytes, 3)
    if (quad >>> 8 === 0) return utf32(bytes, 0, true)
    if ((quad & 0x00ffffff) === 0) return utf32(bytes, 0, false)
    if ((quad & ~0x00ff0000) === 0) return weirdUcs4('3412')
    if ((quad & ~0x0000ff00) === 0) return weirdUcs4('2143')
  }
  if (bytes.length >= 2) {
    if (b0 === 0) return utf16(bytes, 0, true)
    if (b1 === 0) return utf16(bytes, 0, false)
  }
  return utf8(bytes, 0)
}
