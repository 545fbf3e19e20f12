/** Types of local-brokers.cjs (CommonJS, so that serverless.yml can read it too). */

export type Env = Readonly<Record<string, string | undefined>>

export interface LocalBrokers {
  /** The PLAINTEXT listener: `host:port[,host:port...]`. */
  readonly plaintext: string
  /** KAFKA_PORT: the broker scripts/kafka/kafka.sh runs; otherwise the variable that names another. */
  readonly plaintextFrom: 'KAFKA_PORT' | 'LOCAL_KAFKA_BOOTSTRAP_SERVERS'
  /** The MSK IAM (SASL_SSL) listener. */
  readonly iam: string
  readonly iamFrom: 'KAFKA_IAM_PORT' | 'LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS'
}

export class LocalBrokersError extends Error {}

export function localBrokers(env?: Env): LocalBrokers
export function plaintext(): string
export function iam(): string
