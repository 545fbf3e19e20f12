import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import type { MskEvent } from '../../lib/msk/event.js'

/** How the local mapping calls the function: one invoker is one Lambda execution environment. */
export interface Invoker {
  /** Resolves with the handler's response; rejects with its error, a timeout or a crash. */
  invoke(event: MskEvent, requestId: string): Promise<unknown>
  close(): Promise<void>
}

/** A handler called in this process: quick to start, shares module state across partitions. */
export function inProcessInvoker(handler: (event: MskEvent, requestId: string) => Promise<unknown>): Invoker {
  return { invoke: handler, close: async () => undefined }
}

export interface FunctionDefinition {
  /** Path of the module exporting the handler (TypeScript is run with tsx). */
  readonly module: string
  readonly exportName?: string
  readonly functionName: string
  readonly timeoutMs: number
  /** The function's environment, over this process's. */
  readonly environment?: Readonly<Record<string, string>>
  /** Where the function's logs go: a file descriptor (for example a log file), or this process's. */
  readonly logTo?: number | 'inherit'
}

/** The worker's answer to one invocation. */
export type WorkerReply =
  | { readonly id: string; readonly ok: true; readonly response: unknown }
  | {
      readonly id: string
      readonly ok: false
      readonly error: { name: string; message: string; stack?: string }
    }

export class FunctionError extends Error {
  constructor(error: { name: string; message: string; stack?: string }) {
    super(error.message)
    this.name = error.name
    if (error.stack !== undefined) this.stack = error.stack
  }
}

/**
 * The function in a process of its own, as Lambda runs one execution environment per concurrent
 * invocation: its own module state (config, clients, warm connections), its own core. Started on the first
 * invocation (the cold start), started again after a crash or a timeout, as Lambda replaces an environment.
 */
export class WorkerInvoker implements Invoker {
  readonly #definition: FunctionDefinition
  #child: ChildProcess | undefined
  #pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()

  constructor(definition: FunctionDefinition) {
    this.#definition = definition
  }

  invoke(event: MskEvent, requestId: string = randomUUID()): Promise<unknown> {
    const child = this.#start()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId)
        // Lambda stops an invocation that runs past its timeout, and its environment with it.
        child.kill('SIGKILL')
        reject(new Error(`Task timed out after ${(this.#definition.timeoutMs / 1000).toFixed(2)} seconds`))
      }, this.#definition.timeoutMs)
      this.#pending.set(requestId, {
        resolve: (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      })
      child.send({ id: requestId, event, timeoutMs: this.#definition.timeoutMs })
    })
  }

  async close(): Promise<void> {
    const child = this.#child
    this.#child = undefined
    if (child === undefined || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }

  #start(): ChildProcess {
    if (this.#child !== undefined && this.#child.exitCode === null && !this.#child.killed) return this.#child
    const logTo = this.#definition.logTo ?? 'inherit'
    const child = fork(new URL('./lambda-worker.ts', import.meta.url).pathname, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        ...this.#definition.environment,
        LAMBDA_WORKER_MODULE: this.#definition.module,
        LAMBDA_WORKER_EXPORT: this.#definition.exportName ?? 'handler',
        AWS_LAMBDA_FUNCTION_NAME: this.#definition.functionName,
      },
      // Structured clone: the event crosses as it is, with no JSON text built on either side.
      serialization: 'advanced',
      stdio: ['ignore', logTo, logTo, 'ipc'],
    })
    child.on('message', (reply: WorkerReply) => {
      const waiter = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      if (reply.ok) waiter?.resolve(reply.response)
      else waiter?.reject(new FunctionError(reply.error))
    })
    child.on('exit', (code, signal) => {
      for (const waiter of this.#pending.values()) {
        waiter.reject(new Error(`Runtime exited (${signal ?? `code ${code}`}) during the invocation`))
      }
      this.#pending.clear()
    })
    this.#child = child
    return child
  }
}
