import { describe, expect, it } from 'vitest'
import { splitIntoRequests } from '../../lib/kafka/requests.js'

describe('splitIntoRequests', () => {
  const message = (value: string) => ({ key: 'k', value })

  it('keeps every message, in order, in requests under the limit', () => {
    const input = [
      { topic: 'a', messages: Array.from({ length: 50 }, (_, i) => message(`a${i}`.padEnd(100, '.'))) },
      { topic: 'b', messages: Array.from({ length: 50 }, (_, i) => message(`b${i}`.padEnd(100, '.'))) },
    ]
    const requests = splitIntoRequests(input, 1_000)
    expect(requests.length).toBeGreaterThan(1)
    const flattened = requests.flatMap((request) =>
      request.flatMap((t) => t.messages.map((m) => `${t.topic}:${m.value}`)),
    )
    expect(flattened).toEqual(input.flatMap((t) => t.messages.map((m) => `${t.topic}:${m.value}`)))
    for (const request of requests) {
      const bytes = request
        .flatMap((t) => t.messages)
        .reduce((n, m) => n + String(m.value).length + 1 + 24, 0)
      expect(bytes).toBeLessThanOrEqual(1_000)
    }
  })

  it('sends one message larger than the limit on its own', () => {
    const requests = splitIntoRequests(
      [{ topic: 'a', messages: [message('small'), message('x'.repeat(5_000)), message('tail')] }],
      1_000,
    )
    expect(requests.map((r) => r.flatMap((t) => t.messages).length)).toEqual([1, 1, 1])
  })

  it('counts header keys and values, repeated keys included, toward the limit', () => {
    const withHeaders = {
      key: 'k',
      value: 'v',
      headers: { trace: 'x'.repeat(200), tag: [Buffer.alloc(200), 'y'.repeat(200)] },
    }
    const requests = splitIntoRequests([{ topic: 'a', messages: [withHeaders, withHeaders] }], 1_000)
    expect(requests).toHaveLength(2)
  })
})
