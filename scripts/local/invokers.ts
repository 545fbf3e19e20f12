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
 * invocation (the cold start), and again after the environment was stopped or died any way (a crash, a
 * timeout, a signal from outside), as Lambda replaces an environment; the invocation under way then fails,
 * and the mapping retries it.
 */
export class WorkerInvoker implements Invoker {
  readonly #definition: FunctionDefinition
  #environment: Environment | undefined

  constructor(definition: FunctionDefinition) {
    this.#definition = definition
  }

  /** The running environment's process id, if one runs. */
  get pid(): number | undefined {
    return this.#environment?.child.pid
  }

  invoke(event: MskEvent, requestId: string = randomUUID()): Promise<unknown> {
    const environment = this.#start()
    const { child, pending } = environment
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(requestId)
        // Lambda stops an invocation that runs past its timeout, and its environment with it.
        child.kill('SIGKILL')
        reject(new Error(`Task timed out after ${(this.#definition.timeoutMs / 1000).toFixed(2)} seconds`))
      }, this.#definition.timeoutMs)
      const settle = {
        resolve: (value: unknown) => {
          clearTimeout(timer)
          resolve(value)
        },
        reject: (error: Error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
      pending.set(requestId, settle)
      // An environment that died since it was checked has closed its channel: the callback, not a throw or
      // an unhandled 'error' event, says so.
      child.send({ id: requestId, event, timeoutMs: this.#definition.timeoutMs }, (error) => {
        if (error === null) return
        pending.delete(requestId)
        this.#retire(environment)
        settle.reject(new Error(`Runtime exited before the invocation: ${error.message}`))
      })
    })
  }

  async close(): Promise<void> {
    const environment = this.#environment
    this.#environment = undefined
    if (environment === undefined || !isRunning(environment.child)) return
    const exited = new Promise((resolve) => environment.child.once('exit', resolve))
    environment.child.kill('SIGTERM')
    await exited
  }

  /** Forgets an environment that can take no more invocations; the next invocation starts a fresh one. */
  #retire(environment: Environment): void {
    if (this.#environment === environment) this.#environment = undefined
    if (isRunning(environment.child)) environment.child.kill('SIGKILL')
  }

  #start(): Environment {
    const current = this.#environment
    if (current !== undefined && isRunning(current.child) && current.child.connected) return current
    if (current !== undefined) this.#retire(current)
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
    const environment: Environment = { child, pending: new Map() }
    child.on('message', (reply: WorkerReply) => {
      const waiter = environment.pending.get(reply.id)
      environment.pending.delete(reply.id)
      if (reply.ok) waiter?.resolve(reply.response)
      else waiter?.reject(new FunctionError(reply.error))
    })
    // A channel that breaks (the process died mid-send) is reported by the send callback or the exit.
    child.on('error', () => this.#retire(environment))
    child.on('exit', (code, signal) => {
      if (this.#environment === environment) this.#environment = undefined
      for (const waiter of environment.pending.values()) {
        waiter.reject(new Error(`Runtime exited (${signal ?? `code ${code}`}) during the invocation`))
      }
      environment.pending.clear()
    })
    this.#environment = environment
    return environment
  }
}

/** One execution environment: its process and the invocations it has not answered yet. */
interface Environment {
  readonly child: ChildProcess
  readonly pending: Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>
}

/** Neither exited nor ended by a signal: `killed` only says this process sent one. */
function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}
