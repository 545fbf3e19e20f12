import type { Kafka } from 'kafkajs'
import { loadProcessorConfig, type ProcessorConfig } from '../../lib/config.js'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { loadStageSettings, type StageSettings } from '../local/stage-env.js'

export interface StageConnection {
  readonly stage: StageSettings
  readonly processor: ProcessorConfig
  readonly kafka: Kafka
}

/**
 * The cluster and settings of a stage, as its functions see them: `--stage local` is the local broker;
 * a deployed stage takes the same `--param`s as `serverless deploy` (clusterArn and so on) and reaches the
 * cluster with the caller's AWS credentials over IAM, brokers looked up with GetBootstrapBrokers unless
 * bootstrapServers is given.
 */
export async function connectStage(
  stageName: string,
  params: readonly string[],
  clientId: string,
): Promise<StageConnection> {
  const stage = await loadStageSettings(stageName, params)
  Object.assign(process.env, stage.environment)
  const processor = loadProcessorConfig()
  const kafka = createKafka({ ...processor.kafka, clientId }, createBrokerResolver(processor.kafka))
  return { stage, processor, kafka }
}

/** The options every operator command takes. */
export const STAGE_OPTIONS = {
  stage: { type: 'string', default: 'local' },
  param: { type: 'string', multiple: true, default: [] as string[] },
} as const

/** `--since` / `--until`: an ISO 8601 time, or an age such as 30m, 2h, 7d. */
export function parseTime(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined
  const age = /^(\d+)([smhd])$/.exec(value)
  if (age !== null) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 's' | 'm' | 'h' | 'd']
    return new Date(Date.now() - Number(age[1]) * unit)
  }
  const time = new Date(value)
  if (Number.isNaN(time.getTime()))
    throw new Error(`--${name} ${value}: not a time (ISO 8601) nor an age (30m, 2h, 7d)`)
  return time
}
