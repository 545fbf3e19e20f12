import { isUtf8 } from 'node:buffer'

/**
 * A value's bytes turned into text the way Jackson's parser sees them (Flink's JSON format reads the raw
 * bytes with `ObjectMapper.getFactory().createParser(byte[])`):
 *
 * - ByteSourceJsonBootstrapper picks the encoding: a UTF-32/UTF-16/UTF-8 byte order mark, else zero bytes
 *   among the first four (`00 00 00 xx` is UTF-32BE, `00 xx` UTF-16BE, ...), else UTF-8.
 * - UTF8StreamJsonParser decodes UTF-8 by bit pattern only: overlong forms and encoded surrogates pass;
 *   a bad lead or continuation byte is an error, but only when the parser reaches it (nothing after the
 *   root object is read).
 * - UTF-16 goes through Java's InputStreamReader, which replaces malformed units with U+FFFD.
 *
 * So the text ends at the first undecodable sequence, and `stop` says why: the parser fails only if it
 * needs a character beyond that point.
 */
export interface JacksonText {
  readonly text: string
  /** Set when the bytes could not be decoded past `text`. */
  readonly stop?: string
  /** True when the bytes are UTF-8 (with or without a BOM) that any strict decoder accepts. */
  readonly wellFormedUtf8: boolean
}

/** String.fromCharCode over many code units, in slices small enough for the argument list. */
function fromUnits(units: readonly number[]): string {
  let text = ''
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192))
  return text
}

function utf32(bytes: Uint8Array, start: number, bigEndian: boolean): JacksonText {
  const units: number[] = []
  const fail = (stop: string): JacksonText => ({ text: fromUnits(units), stop, wellFormedUtf8: false })
  for (let i = start; i < bytes.length; i += 4) {
    if (i + 4 > bytes.length) return fail('the value ends inside a UTF-32 character')
    const b0 = bytes[i] as number
    const b1 = bytes[i + 1] as number
    const b2 = bytes[i + 2] as number
    const b3 = bytes[i + 3] as number
    const code = bigEndian
      ? ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0
      : ((b3 << 24) | (b2 << 16) | (b1 << 8) | b0) >>> 0
    if (code > 0x10ffff) return fail('the value has an invalid UTF-32 character')
    if (code > 0xffff) units.push(0xd800 | ((code - 0x10000) >> 10), 0xdc00 | (code & 0x3ff))
    else units.push(code)
  }
  return { text: fromUnits(units), wellFormedUtf8: false }
}

function utf16(bytes: Uint8Array, start: number, bigEndian: boolean): JacksonText {
  const units: number[] = []
  for (let i = start; i < bytes.length; i += 2) {
    if (i + 1 >= bytes.length) {
      units.push(0xfffd)
      break
    }
    const high = bytes[bigEndian ? i : i + 1] as number
    const low = bytes[bigEndian ? i + 1 : i] as number
    units.push((high << 8) | low)
  }
  // Java's decoder replaces each unpaired surrogate with U+FFFD.
  for (let i = 0; i < units.length; i++) {
    const unit = units[i] as number
    const next = units[i + 1]
    if (unit >= 0xd800 && unit <= 0xdbff && next !== undefined && next >= 0xdc00 && next <= 0xdfff) i++
    else if (unit >= 0xd800 && unit <= 0xdfff) units[i] = 0xfffd
  }
  return { text: fromUnits(units), wellFormedUtf8: false }
}

/** UTF8StreamJsonParser's decoding: by bit pattern, 4-byte forms split into surrogates as Java chars. */
function lenientUtf8(bytes: Uint8Array, start: number): JacksonText {
  const units: number[] = []
  let i = start
  const fail = (stop: string): JacksonText => ({ text: fromUnits(units), stop, wellFormedUtf8: false })
  while (i < bytes.length) {
    const lead = bytes[i] as number
    let needed: number
    let code: number
    if (lead < 0x80) {
      units.push(lead)
      i++
      continue
    }
    if ((lead & 0xe0) === 0xc0) [needed, code] = [1, lead & 0x1f]
    else if ((lead & 0xf0) === 0xe0) [needed, code] = [2, lead & 0x0f]
    else if ((lead & 0xf8) === 0xf0) [needed, code] = [3, lead & 0x07]
    else return fail(`the value has an invalid UTF-8 start byte 0x${lead.toString(16)}`)
    if (i + needed >= bytes.length) return fail('the value ends inside a UTF-8 character')
    for (let k = 1; k <= needed; k++) {
      const next = bytes[i + k] as number
      if ((next & 0xc0) !== 0x80)
        return fail(`the value has an invalid UTF-8 middle byte 0x${next.toString(16)}`)
      code = (code << 6) | (next & 0x3f)
    }
    if (needed === 3) {
      const offset = code - 0x10000
      units.push((0xd800 | (offset >> 10)) & 0xffff, 0xdc00 | (offset & 0x3ff))
    } else {
      units.push(code)
    }
    i += needed + 1
  }
  return { text: fromUnits(units), wellFormedUtf8: false }
}

function weirdUcs4(order: string): JacksonText {
  return {
    text: '',
    stop: `the value is in an unsupported UCS-4 byte order (${order})`,
    wellFormedUtf8: false,
  }
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

function utf8(bytes: Uint8Array, start: number): JacksonText {
  const body = start === 0 ? bytes : bytes.subarray(start)
  if (isUtf8(body)) {
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    return { text: buffer.toString('utf8'), wellFormedUtf8: true }
  }
  return lenientUtf8(bytes, start)
}
