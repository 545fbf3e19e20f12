import { WorkerInvoker } from './invokers.js'

const PROCESSOR_MODULE = new URL('../../functions/processor.ts', import.meta.url).pathname

export interface ProcessorWorkerSettings {
  /** A local PLAINTEXT broker, host:port. */
  readonly broker: string
  readonly sinkTopic: string
  readonly deadLetterTopic: string
  readonly functionName: string
  /** Where the worker's logs go: a file descriptor, or this process's (the default). */
  readonly logTo?: number | 'inherit'
}

/**
 * The real processor handler (functions/processor.ts, middy, Logger, Metrics) in a worker process of its
 * own, as the load test and the benchmarks run it behind the local mapping: one per partition, as Lambda
 * runs one execution environment per partition. Warnings and errors only; no EMF metrics on the output.
 */
export function processorWorker(settings: ProcessorWorkerSettings): WorkerInvoker {
  return new WorkerInvoker({
    module: PROCESSOR_MODULE,
    functionName: settings.functionName,
    timeoutMs: 120_000,
    ...(settings.logTo === undefined ? {} : { logTo: settings.logTo }),
    environment: {
      KAFKA_BOOTSTRAP_SERVERS: settings.broker,
      KAFKA_AUTH: 'none',
      KAFKA_REUSE_CONNECTION: 'true',
      SINK_TOPIC: settings.sinkTopic,
      DEAD_LETTER_TOPIC: settings.deadLetterTopic,
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_DEV: 'false',
    },
  })
}
