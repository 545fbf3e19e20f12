import { describe, expect, it } from 'vitest'
import { jacksonText } from '../../lib/flink/jackson-bytes.js'
import { jacksonString, jacksonTreeText } from '../../lib/flink/jackson-writer.js'
import { type JsonValue, readRow } from '../../lib/flink/json-row-reader.js'

const fieldsOf = (text: string) => {
  const read = readRow(text)
  if (!read.ok) throw new Error(read.detail)
  return (read.rows[0] ?? []).map(({ field, ...value }) => [field, value])
}

describe("readRow: the row converter's reading of a value", () => {
  it('reads the three fields, with their JSON kinds', () => {
    expect(
      fieldsOf('{"event_time": "2023-08-08 04:21:56.484843", "ticker": "AAPL", "price": 41.72}'),
    ).toEqual([
      ['event_time', { kind: 'string', text: '2023-08-08 04:21:56.484843' }],
      ['ticker', { kind: 'string', text: 'AAPL' }],
      ['price', { kind: 'number', text: '41.72', float: true }],
    ])
  })

  it('skips other fields, of any shape', () => {
    expect(fieldsOf('{"a":[1,{"b":null}],"ticker":"V","c":"x"}')).toEqual([
      ['ticker', { kind: 'string', text: 'V' }],
    ])
  })

  it('decodes escapes in names and values', () => {
    expect(fieldsOf('{"\\u0074icker":"A\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"}')).toEqual([
      ['ticker', { kind: 'string', text: 'A"\\/\b\f\n\r\té😀' }],
    ])
  })

  it('accepts raw control characters inside strings (ALLOW_UNESCAPED_CONTROL_CHARS)', () => {
    expect(fieldsOf('{"ticker":"A\u0000\u001f\n"}')).toEqual([
      ['ticker', { kind: 'string', text: 'A\u0000\u001f\n' }],
    ])
  })

  it('keeps every occurrence until three row fields were met, then only skips', () => {
    const read = readRow('{"ticker":"A","ticker":"B","price":1,"event_time":"x","ticker":"C"}')
    expect(read.ok && read.rows[0]?.map(({ field }) => field)).toEqual(['ticker', 'ticker', 'price'])
    expect(read.ok && read.duplicateField).toBe('ticker')
  })

  it('stops at the end of the root object: what follows is never read', () => {
    const read = readRow('{"ticker":"A"} not json {')
    expect(read.ok && read.end).toBe(14)
  })

  it.each([
    ['', 'blank'],
    ['  \n', 'blank'],
    ['[1]', 'not-an-object'],
    ['[{}, null]', 'not-an-object'],
    ['"x"', 'not-an-object'],
    ['123', 'not-an-object'],
    ['null', 'not-an-object'],
    ['{"ticker":', 'syntax'],
    ['{"ticker":"A",}', 'syntax'],
    ["{'ticker':'A'}", 'syntax'],
    ['{ticker:"A"}', 'syntax'],
    ['{"price":01}', 'syntax'],
    ['{"price":1.}', 'syntax'],
    ['{"price":.5}', 'syntax'],
    ['{"price":+1}', 'syntax'],
    ['{"price":1e}', 'syntax'],
    ['{"price":NaN}', 'syntax'],
    ['{"price":Infinity}', 'syntax'],
    ['{"price":-Infinity}', 'syntax'],
    ['{"ticker":"\\x"}', 'syntax'],
    ['{"ticker":"\\u12G4"}', 'syntax'],
    ['{"a":[1,]}', 'syntax'],
    ['{"a":tru}', 'syntax'],
    ['{"a":1 "b":2}', 'syntax'],
    ['x', 'syntax'],
  ])('reports %j as %s', (text, problem) => {
    const read = readRow(text)
    expect(read.ok ? 'ok' : read.problem).toBe(problem)
  })

  it("enforces Jackson's nesting and number-length limits", () => {
    const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`
    expect(readRow(nested(1000)).ok).toBe(true)
    expect(readRow(nested(1001)).ok).toBe(false)
    expect(readRow(`{"price":${'1'.repeat(1000)}}`).ok).toBe(true)
    expect(readRow(`{"price":${'1'.repeat(1001)}}`).ok).toBe(false)
  })

  it('reads an array of objects as a row each, and stops after it', () => {
    const read = readRow('[{"ticker":"A"},{"price":1}] anything')
    expect(read.ok && read.array).toBe(true)
    expect(read.ok && read.rows.map((fields) => fields.map(({ field }) => field))).toEqual([
      ['ticker'],
      ['price'],
    ])
    expect(read.ok && read.end).toBe(28)
    const empty = readRow('[]')
    expect(empty.ok && empty.rows).toEqual([])
  })

  it("resolves a name with 0xFF bytes by Jackson's symbol table: a known name's padded bytes, else a failure", () => {
    const value = (name: number[]) =>
      jacksonText(Buffer.concat([Buffer.from('{"'), Buffer.from(name), Buffer.from('":"V"}')]))
    const ticker = readRow(value([...Buffer.from('tick'), 0xff, 0xff, ...Buffer.from('er')]))
    expect(ticker.ok && ticker.rows[0]).toEqual([{ field: 'ticker', kind: 'string', text: 'V' }])
    expect(readRow(value([...Buffer.from('tic'), 0xff, ...Buffer.from('ker')])).ok).toBe(false)
  })

  it("limits a name to 50,000 bytes, as Jackson's StreamReadConstraints do", () => {
    expect(readRow(`{"${'n'.repeat(50_000)}":1,"ticker":"A"}`).ok).toBe(true)
    expect(readRow(`{"${'n'.repeat(50_001)}":1,"ticker":"A"}`).ok).toBe(false)
    expect(readRow(`{"${'é'.repeat(25_001)}":1}`).ok).toBe(false)
  })

  it('keeps a container held by a row field as a tree', () => {
    const read = readRow('{"ticker":{"b":1.50,"a":[true,null,-0,1e2],"b":"x"}}')
    if (!read.ok) throw new Error(read.detail)
    expect(jacksonTreeText(read.rows[0]?.[0] as JsonValue)).toBe('{"b":"x","a":[true,null,0,100.0]}')
  })

  it('fails only when the reading reaches bytes that could not be decoded', () => {
    const after = jacksonText(Buffer.concat([Buffer.from('{"ticker":"A"} '), Buffer.from([0x80])]))
    expect(after.stop).toMatch(/start byte 0x80/)
    expect(readRow(after).ok).toBe(true)
    const bad = jacksonText(
      Buffer.concat([Buffer.from('{"ticker":"A'), Buffer.from([0xff]), Buffer.from('"}')]),
    )
    expect(readRow(bad).ok).toBe(false)
    const inside = jacksonText(
      Buffer.concat([Buffer.from('{"ticker":"A'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    )
    const read = readRow(inside)
    expect(read.ok ? 'ok' : read.problem).toBe('encoding')
  })
})

describe('jacksonText: the bytes as Jackson decodes them', () => {
  it('reads well-formed UTF-8 as it is, and skips a UTF-8 byte order mark', () => {
    expect(jacksonText(Buffer.from('{"ticker":"株"}'))).toEqual({
      text: '{"ticker":"株"}',
      wellFormedUtf8: true,
      encoding: 'utf8',
    })
    expect(jacksonText(Buffer.from('\ufeff{}')).text).toBe('{}')
  })

  it('decodes overlong forms and encoded surrogates by bit pattern, as UTF8StreamJsonParser does', () => {
    expect(jacksonText(Buffer.from([0x41, 0xc1, 0xb4, 0xc0, 0x80])).text).toBe('At\u0000')
    expect(jacksonText(Buffer.from([0x41, 0xed, 0xa0, 0x80])).text).toBe('A\ud800')
  })

  it('detects UTF-16 and UTF-32 by byte order mark or zero bytes', () => {
    expect(jacksonText(Buffer.from('{}', 'utf16le')).text).toBe('{}')
    expect(
      jacksonText(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('\u7b00\u7d00', 'utf16le')])).text,
    ).toBe('{}')
    expect(jacksonText(Buffer.from([0, 0, 0, 0x7b, 0, 0, 0, 0x7d])).text).toBe('{}')
    expect(jacksonText(Buffer.from([0, 0x7b, 0, 0x7d])).text).toBe('{}')
  })
})

describe('jacksonString: strings as the Flink sink (UTF8JsonGenerator) writes them', () => {
  it.each([
    ['AAPL', '"AAPL"'],
    ['a"b\\c/d', '"a\\"b\\\\c/d"'],
    ['\b\t\n\f\r', '"\\b\\t\\n\\f\\r"'],
    ['\u0000\u0001\u001f', '"\\u0000\\u0001\\u001F"'],
    ['\u007f\u2028é株', '"\u007f\u2028é株"'],
    ['😀X', '"\\uD83D\\uDE00X"'],
    ['\ud800', '"\\uD800"'],
  ])('writes %j as %s', (text, json) => {
    expect(jacksonString(text)).toBe(json)
  })
})
