import type { Kafka } from 'kafkajs'
import type { ProcessorConfig } from '../../lib/config.js'
import { ConfigError } from '../../lib/errors.js'
import type { StageSettings } from '../local/stage-env.js'
import { pipelineTopics } from '../ops/pipeline-status.js'
import { PipelineMonitor } from './monitor.js'
import { type ConsoleServer, startConsoleServer } from './server.js'

export interface ConsoleOptions {
  /** The stage as `--stage` named it, and its `--param`s: the commands the page suggests repeat them. */
  readonly stageName: string
  readonly params: readonly string[]
  readonly stage: StageSettings
  readonly processor: ProcessorConfig
  readonly kafka: Kafka
  /** 0, the default: a free port. */
  readonly port?: number
  readonly intervalMs?: number
}

/**
 * A port from a flag or CONSOLE_PORT: 0 (any free one) to 65535; undefined when neither is given.
 * Throws naming the setting otherwise.
 */
export function consolePort(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ConfigError(`${name} must be a port number from 0 (any free port) to 65535, not "${value}"`)
  return port
}

/**
 * The pipeline's web console, on 127.0.0.1: reads the stage's cluster every second or so for everyone
 * watching, serves the page, and stops both on close (deleting the reader's own consumer group).
 */
export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
  const { stage, processor } = options
  const port = options.port ?? consolePort(process.env.CONSOLE_PORT, 'CONSOLE_PORT') ?? 0
  const onFailure = stage.mapping.onFailure?.kind ?? 'none'
  const monitor = new PipelineMonitor({
    kafka: options.kafka,
    topics: pipelineTopics(stage, processor),
    flags: { stage: options.stageName, params: options.params },
    onFailure,
    brokers:
      processor.kafka.bootstrapServers.length > 0
        ? processor.kafka.bootstrapServers.join(',')
        : (processor.kafka.clusterArn ?? 'the cluster'),
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
  })
  monitor.start()
  const server = await startConsoleServer(monitor, port).catch(async (error: unknown) => {
    await monitor.stop()
    throw error
  })
  return {
    url: server.url,
    close: async () => {
      await server.close()
      await monitor.stop()
    },
  }
}
