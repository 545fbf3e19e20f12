import type { KafkaConnectionConfig } from '../config.js'
import { ConfigError } from '../errors.js'

/** Where a client finds its bootstrap brokers; asked on every (re)connect. */
export type BrokerResolver = () => Promise<string[]>

/**
 * The configured `host:port` list, which the producer and processor use. Deployed, the stack fills it
 * from the brokers the Custom::KafkaTopics resource looks up, so their cold starts never call the MSK API
 * (nor bundle its client).
 */
export function configuredBrokers(config: Pick<KafkaConnectionConfig, 'bootstrapServers'>): BrokerResolver {
  if (config.bootstrapServers.length === 0) {
    throw new ConfigError('KAFKA_BOOTSTRAP_SERVERS is empty: no brokers to connect to')
  }
  const brokers = [...config.bootstrapServers]
  return async () => brokers
}
