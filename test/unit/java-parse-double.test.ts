import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { javaParseDouble, javaTrim } from '../../lib/flink/java-parse-double.js'

describe('javaParseDouble (Double.parseDouble after String.trim)', () => {
  it.each([
    ['12.5', 12.5],
    [' 12 ', 12],
    ['\u0000\u001f12\u0020', 12],
    ['1e5', 100_000],
    ['1E-3', 0.001],
    ['+.5', 0.5],
    ['5.', 5],
    ['-0', -0],
    ['12d', 12],
    ['12.5F', 12.5],
    ['007', 7],
    ['NaN', Number.NaN],
    ['-NaN', Number.NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['+Infinity', Infinity],
    ['1e400', Infinity],
    ['1e-400', 0],
    ['0x10p0', 16],
    ['0x1.8p1', 3],
    ['-0X.8P-1', -0.25],
    ['0x1p-1074', 5e-324],
    ['0x1p-1075', 0],
    ['0x1.8p-1075', 5e-324],
    ['0x1.fffffffffffff8p1023', Infinity],
    ['0x1.fffffffffffff7p1023', 1.7976931348623157e308],
    ['0x1.00000000000008p0', 1],
    ['0x1.00000000000018p0', 1.0000000000000004],
  ])('reads %j as %d', (text, value) => {
    expect(Object.is(javaParseDouble(text), value)).toBe(true)
  })

  it.each([
    '',
    '   ',
    'abc',
    '1e',
    '1e+',
    '.',
    '-',
    '1.2.3',
    '1,5',
    '0x10',
    '0x',
    '0b1',
    '1_000',
    'infinity',
    'Inf',
    'nan',
    '12dd',
    '\u00a012',
    '12\u2028',
    '１２',
  ])('refuses %j as Java does (NumberFormatException)', (text) => {
    expect(javaParseDouble(text)).toBeUndefined()
  })

  it('trims only code units up to U+0020, as String.trim does', () => {
    expect(javaTrim('\t\n 12 \r\u0001')).toBe('12')
    expect(javaTrim('\u00a012\u3000')).toBe('\u00a012\u3000')
  })

  it('agrees with Number for every decimal string JSON can write', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (value) => {
        // String and JSON.stringify both write -0 as 0.
        const written = value === 0 ? 0 : value
        expect(Object.is(javaParseDouble(String(value)), written)).toBe(true)
        const json = JSON.stringify(value)
        expect(Object.is(javaParseDouble(json), Number.isFinite(value) ? written : undefined)).toBe(true)
      }),
    )
  })
})
