import type { Env } from '../lib/config.js'

/**
 * The environment the scripts read their settings from: the local broker (PLAINTEXT, KAFKA_PORT) unless
 * KAFKA_BOOTSTRAP_SERVERS or MSK_CLUSTER_ARN name another cluster, with KAFKA_AUTH and the rest as the
 * functions take them.
 */
export function clusterEnv(env: Env = process.env): Env {
  if (env.KAFKA_BOOTSTRAP_SERVERS !== undefined || env.MSK_CLUSTER_ARN !== undefined) return env
  return { ...env, KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${env.KAFKA_PORT ?? '9092'}`, KAFKA_AUTH: 'none' }
}
