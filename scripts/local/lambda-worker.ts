/**
 * One local Lambda execution environment, forked by WorkerInvoker: loads the function's module once (its
 * init phase) and runs one invocation at a time, as Lambda does, answering over IPC.
 */
import type { MskEvent } from '../../lib/msk/event.js'
import type { WorkerReply } from './invokers.js'
import { lambdaContext } from './lambda-context.js'

const modulePath = process.env.LAMBDA_WORKER_MODULE
const exportName = process.env.LAMBDA_WORKER_EXPORT ?? 'handler'
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function'
if (modulePath === undefined) throw new Error('LAMBDA_WORKER_MODULE is not set')
// OpenTelemetry's console exporter (`npm start -- --trace`) prints each span with console.dir: one JSON
// line in the logs, as every log entry is.
console.dir = (item: unknown) => console.log(JSON.stringify(item))

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>
const handler = (await import(modulePath))[exportName] as Handler | undefined
if (typeof handler !== 'function') throw new Error(`${modulePath} exports no function ${exportName}`)

let queue: Promise<void> = Promise.resolve()
process.on('message', (request: { id: string; event: MskEvent; timeoutMs: number }) => {
  queue = queue.then(async () => {
    let reply: WorkerReply
    try {
      const response = await handler(
        request.event,
        lambdaContext(functionName, request.timeoutMs, request.id),
      )
      reply = { id: request.id, ok: true, response }
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown))
      reply = {
        id: request.id,
        ok: false,
        error: { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) },
      }
    }
    process.send?.(reply)
  })
})
// Lambda stops an environment without waiting for it.
process.on('SIGTERM', () => process.exit(0))
// The mapping that started this environment is gone.
process.on('disconnect', () => process.exit(0))
