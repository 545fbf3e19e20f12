import type { Env } from '../lib/config.js'
import { localBrokers } from './local/local-brokers.cjs'

/**
 * The environment the scripts read their settings from: the local broker (PLAINTEXT, at the address
 * scripts/local/local-brokers.cjs gives: LOCAL_KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:$KAFKA_PORT) unless
 * KAFKA_BOOTSTRAP_SERVERS or MSK_CLUSTER_ARN name another cluster, with KAFKA_AUTH and the rest as the
 * functions take them.
 */
export function clusterEnv(env: Env = process.env): Env {
  if (env.KAFKA_BOOTSTRAP_SERVERS !== undefined || env.MSK_CLUSTER_ARN !== undefined) return env
  return { ...env, KAFKA_BOOTSTRAP_SERVERS: localBrokers(env).plaintext, KAFKA_AUTH: 'none' }
}

/** Where the address came from, for the advice when nothing answers there (scripts/cli/failure.ts). */
export function clusterSource(env: Env = process.env): string {
  if (env.KAFKA_BOOTSTRAP_SERVERS !== undefined) return 'KAFKA_BOOTSTRAP_SERVERS'
  if (env.MSK_CLUSTER_ARN !== undefined) return 'MSK_CLUSTER_ARN'
  return localBrokers(env).plaintextFrom
}
