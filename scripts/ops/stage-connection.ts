import type { Kafka } from 'kafkajs'
import { loadProcessorConfig, type ProcessorConfig } from '../../lib/config.js'
import { ConfigError } from '../../lib/errors.js'
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
  let processor: ProcessorConfig
  try {
    // A deployed stage's brokers are set when it deploys: here they are looked up from its cluster ARN.
    processor = loadProcessorConfig(process.env, 'lookup')
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    if (stage.cluster === 'local') throw error
    const unknown =
      stage.deployTime.length === 0 ? '' : ` (${stage.deployTime.join(', ')} are set only when deploying)`
    throw new ConfigError(
      `stage ${stageName}${unknown}: ${error.message}; give the cluster as \`serverless deploy\` does, --param clusterArn=... (or --param bootstrapServers=...)`,
    )
  }
  const kafka = createKafka({ ...processor.kafka, clientId }, createBrokerResolver(processor.kafka))
  return { stage, processor, kafka }
}
