import { readFileSync } from 'node:fs'
import { Kafka, logLevel } from 'kafkajs'
import type { KafkaConnectionConfig } from '../config.js'
import type { BrokerResolver } from './configured-brokers.js'
import { mskIamMechanism } from './iam.js'
import { createIamTokenProvider } from './iam-token.js'
import { kafkajsLogCreator } from './logging.js'

/**
 * A kafkajs client for the configured cluster. Brokers are resolved lazily on the first connect, so a
 * container that is never invoked never calls the MSK API. Timeouts and retries are bounded so that an
 * unreachable cluster fails an invocation within seconds rather than at the Lambda timeout.
 */
export function createKafka(
  config: KafkaConnectionConfig,
  brokers: BrokerResolver,
  iamToken?: () => Promise<string>,
): Kafka {
  const ssl = config.tlsCaFile === undefined ? true : { ca: [readFileSync(config.tlsCaFile, 'utf8')] }
  const iam =
    config.auth === 'iam' && config.region !== undefined
      ? {
          ssl,
          sasl: mskIamMechanism(config.region, iamToken ?? createIamTokenProvider(config.region)),
        }
      : {}
  return new Kafka({
    clientId: config.clientId,
    brokers,
    connectionTimeout: config.connectTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retry: { retries: config.retries, initialRetryTime: 200, maxRetryTime: 2_000 },
    logLevel: process.env.LOG_LEVEL === 'DEBUG' ? logLevel.DEBUG : logLevel.WARN,
    logCreator: kafkajsLogCreator,
    ...iam,
  })
}
