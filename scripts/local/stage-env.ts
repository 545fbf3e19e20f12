import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

interface EventSourceMappingProperties {
  Topics: string[]
  AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: string }
  BatchSize: number
  MaximumBatchingWindowInSeconds: number
}

interface PrintedService {
  provider: { environment?: Record<string, string> }
  functions: Record<string, { environment?: Record<string, string> }>
  resources: { Resources: Record<string, { Properties: unknown }> }
}

export interface StageSettings {
  /** Every function's environment merged over the provider's, as `invoke local` would set them. */
  readonly environment: Record<string, string>
  /** The processor's event source mapping, as the stage would deploy it. */
  readonly mapping: {
    readonly topic: string
    readonly consumerGroupId: string
    readonly batchSize: number
    readonly maximumBatchingWindowSeconds: number
  }
}

/**
 * Reads a stage's resolved settings from `serverless print`, so the local pipeline runs with exactly the
 * configuration `serverless invoke local --stage local` uses; serverless.yml stays the one source.
 */
export async function loadStageSettings(stage: string): Promise<StageSettings> {
  const { stdout } = await promisify(execFile)(
    'npx',
    ['--no-install', 'serverless', 'print', '--stage', stage, '--format', 'json'],
    { env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 * 1024 * 1024 },
  )
  const service = JSON.parse(stdout) as PrintedService
  const environment = { ...service.provider.environment }
  for (const fn of Object.values(service.functions)) Object.assign(environment, fn.environment)
  const mapping = service.resources.Resources.ProcessorEventSourceMapping?.Properties as
    | EventSourceMappingProperties
    | undefined
  const topic = mapping?.Topics[0]
  if (mapping === undefined || topic === undefined) {
    throw new Error('serverless.yml has no ProcessorEventSourceMapping with a topic')
  }
  return {
    environment,
    mapping: {
      topic,
      consumerGroupId: mapping.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId,
      batchSize: mapping.BatchSize,
      maximumBatchingWindowSeconds: mapping.MaximumBatchingWindowInSeconds,
    },
  }
}
