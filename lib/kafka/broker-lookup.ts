import {
  GetBootstrapBrokersCommand,
  type GetBootstrapBrokersCommandOutput,
  KafkaClient,
} from '@aws-sdk/client-kafka'
import type { AuthMode, KafkaConnectionConfig } from '../config.js'
import { asError, BrokerDiscoveryError } from '../errors.js'
import { type BrokerResolver, configuredBrokers } from './configured-brokers.js'

/** Which GetBootstrapBrokers field serves each auth mode (provisioned and serverless clusters alike). */
function brokerStringFor(auth: AuthMode, output: GetBootstrapBrokersCommandOutput): string | undefined {
  return auth === 'iam' ? output.BootstrapBrokerStringSaslIam : output.BootstrapBrokerString
}

function explain(error: unknown, clusterArn: string): string {
  const name = (error as { name?: string }).name ?? ''
  if (name === 'NotFoundException') return `cluster ${clusterArn} was not found`
  if (name === 'ForbiddenException' || name === 'UnauthorizedException' || name === 'AccessDeniedException') {
    return `the function's role may not call kafka:GetBootstrapBrokers on ${clusterArn}`
  }
  return `GetBootstrapBrokers failed for ${clusterArn}: ${asError(error).message}`
}

/**
 * Returns the bootstrap brokers: the explicit list when one is set, else the cluster's, looked up once per
 * container. A failed lookup is not cached, so the next invocation asks again.
 */
export function createBrokerResolver(
  config: Pick<KafkaConnectionConfig, 'bootstrapServers' | 'clusterArn' | 'auth' | 'region'>,
  client: () => Pick<KafkaClient, 'send'> = () => new KafkaClient({ region: config.region }),
): BrokerResolver {
  if (config.bootstrapServers.length > 0) return configuredBrokers(config)
  const clusterArn = config.clusterArn
  if (clusterArn === undefined)
    throw new BrokerDiscoveryError('No bootstrap servers and no cluster ARN are set')

  let cached: Promise<string[]> | undefined
  const lookUp = async (): Promise<string[]> => {
    let output: GetBootstrapBrokersCommandOutput
    try {
      output = await client().send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }))
    } catch (error) {
      throw new BrokerDiscoveryError(`Cannot look up the Kafka brokers: ${explain(error, clusterArn)}`, {
        cause: error,
      })
    }
    const brokers = brokerStringFor(config.auth, output)
      ?.split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker !== '')
    if (brokers === undefined || brokers.length === 0) {
      throw new BrokerDiscoveryError(
        `Cluster ${clusterArn} has no brokers for auth "${config.auth}": is that access control enabled on it?`,
      )
    }
    return brokers
  }
  return () => {
    cached ??= lookUp().catch((error: unknown) => {
      cached = undefined
      throw error
    })
    return cached
  }
}
