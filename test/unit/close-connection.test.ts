import middy from '@middy/core'
import { describe, expect, it } from 'vitest'
import { closeConnectionAfterInvocation } from '../../lib/middleware/close-connection.js'
import { MemorySink } from '../support/memory-sink.js'

const context = {} as never

describe('closeConnectionAfterInvocation', () => {
  it('closes after success and after failure when the connection is not reused', async () => {
    const sink = new MemorySink()
    const ok = middy()
      .use(closeConnectionAfterInvocation(sink, false))
      .handler(async () => 'done')
    const failing = middy()
      .use(closeConnectionAfterInvocation(sink, false))
      .handler(async () => {
        throw new Error('boom')
      })
    await expect(ok({}, context)).resolves.toBe('done')
    await expect(failing({}, context)).rejects.toThrow('boom')
    expect(sink.closed).toBe(2)
  })

  it('keeps the connection open inside Lambda', async () => {
    const sink = new MemorySink()
    const handler = middy()
      .use(closeConnectionAfterInvocation(sink, true))
      .handler(async () => 'done')
    await handler({}, context)
    expect(sink.closed).toBe(0)
  })
})
