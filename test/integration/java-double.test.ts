import { execFileSync } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { javaDoubleToString } from '../../lib/flink/java-double.js'

const GENERATOR = fileURLToPath(new URL('../../scripts/java/DoubleToString.java', import.meta.url))
const RANDOM_PER_KIND = 100_000

const view = new DataView(new ArrayBuffer(8))

function fromBits(hex: string): number {
  view.setBigUint64(0, BigInt(`0x${hex}`))
  return view.getFloat64(0)
}

describe('javaDoubleToString against a live Java 17', () => {
  it(`prints ${2 * RANDOM_PER_KIND} fresh random doubles as Double.toString does`, () => {
    // A new seed each run, so that over time the runs cover far more than the fixture; the failure message
    // names it, so a mismatch can be printed again.
    const seed = randomInt(2 ** 47)
    const args = [GENERATOR, '--size', 'random', '--seed', String(seed), '--random', String(RANDOM_PER_KIND)]
    const output = execFileSync('java', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    const lines = output.split('\n').filter((line) => line !== '')
    const header = lines.filter((line) => line.startsWith('#')).join('\n')
    // Only Java 17 (before JDK 19's new algorithm) prints what the port ports.
    expect(header, 'the `java` on the PATH must be Java 17').toMatch(/java -version: openjdk version "17\./)

    let compared = 0
    const mismatches: string[] = []
    for (const line of lines) {
      if (line.startsWith('#')) continue
      const [bits = '', expected = ''] = line.split(' ')
      const actual = javaDoubleToString(fromBits(bits))
      compared++
      if (actual !== expected && mismatches.push(`${bits}: Java ${expected}, port ${actual}`) >= 20) break
    }
    expect(mismatches, `seed ${seed}: the first mismatches`).toEqual([])
    expect(compared).toBe(2 * RANDOM_PER_KIND)
  })
})
