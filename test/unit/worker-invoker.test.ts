import { afterEach, describe, expect, it } from 'vitest'
import type { MskEvent } from '../../lib/msk/event.js'
import { WorkerInvoker } from '../../scripts/local/invokers.js'

const event = (waitMs?: number) => ({ waitMs }) as unknown as MskEvent
const invokers: WorkerInvoker[] = []

function worker(): WorkerInvoker {
  const invoker = new WorkerInvoker({
    module: new URL('../support/pid-handler.ts', import.meta.url).pathname,
    functionName: 'pid',
    timeoutMs: 30_000,
  })
  invokers.push(invoker)
  return invoker
}

async function killFromOutside(invoker: WorkerInvoker, signal: NodeJS.Signals): Promise<number> {
  const pid = invoker.pid
  if (pid === undefined) throw new Error('no environment runs')
  process.kill(pid, signal)
  // The environment is gone once the signal could not be sent again.
  await expect
    .poll(() => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    })
    .toBe(false)
  return pid
}

afterEach(async () => {
  await Promise.all(invokers.splice(0).map((invoker) => invoker.close()))
})

describe('WorkerInvoker, one local execution environment', () => {
  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'replaces an environment %s-ed from outside between invocations',
    async (signal) => {
      const invoker = worker()
      const { pid: first } = (await invoker.invoke(event())) as { pid: number }
      expect(await killFromOutside(invoker, signal)).toBe(first)
      const { pid: second } = (await invoker.invoke(event())) as { pid: number }
      expect(second).not.toBe(first)
    },
  )

  it('fails the invocation under way when its environment is killed, then serves the next one', async () => {
    const invoker = worker()
    await invoker.invoke(event())
    const underWay = invoker.invoke(event(10_000))
    const exited = expect(underWay).rejects.toThrow(/Runtime exited \(SIGKILL\) during the invocation/)
    await killFromOutside(invoker, 'SIGKILL')
    await exited
    await expect(invoker.invoke(event())).resolves.toHaveProperty('pid')
  })

  it('closes a running environment and stops', async () => {
    const invoker = worker()
    await invoker.invoke(event())
    const pid = invoker.pid
    await invoker.close()
    expect(invoker.pid).toBeUndefined()
    expect(() => process.kill(pid ?? 0, 0)).toThrow()
  })
})
