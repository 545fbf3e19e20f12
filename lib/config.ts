import { ConfigError } from './errors.js'
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from './kafka/record-size.js'
import { DEFAULT_SINK_FORMAT, SINK_FORMAT_NAMES, SINK_FORMATS } from './sink-formats.js'
import { type StockFormat, VALIDATION_MODES, type ValidationMode } from './stocks/format.js'

/**
 * Settings come from environment variables (set from stage params in serverless.yml). Each loader reads
 * them once, validates all of them, and throws one ConfigError naming every bad variable.
 */
export type Env = Readonly<Record<string, string | undefined>>

export type AuthMode = 'iam' | 'none'

export interface KafkaConnectionConfig {
  /**
   * `host:port` list. Required by the producer and processor: the deployed stack sets it from the brokers
   * the Custom::KafkaTopics resource looks up once per deployment, so no cold start depends on the MSK
   * API. Only the topics function may leave it empty and look the brokers up from `clusterArn`.
   */
  readonly bootstrapServers: readonly string[]
  readonly clusterArn: string | undefined
  readonly auth: AuthMode
  /** Region for IAM signing and the MSK API: KAFKA_REGION, else the cluster ARN's, else AWS_REGION. */
  readonly region: string | undefined
  readonly clientId: string
  /** PEM file of extra CAs to trust for TLS (the local IAM listener's self-signed certificate). */
  readonly tlsCaFile: string | undefined
  readonly connectTimeoutMs: number
  readonly requestTimeoutMs: number
  /**
   * How long connecting, and then one send, may each take, retries included, before the invocation fails.
   * Twice this must fit in the function's timeout.
   */
  readonly sendTimeoutMs: number
  readonly retries: number
  /**
   * The most producers a sink keeps (KAFKA_MAX_PRODUCERS): sends under way at once each take their own, so
   * that one failed send cannot fail another (one per source partition of an event, in the processor).
   */
  readonly maxProducers: number
  /**
   * The largest record batch the topics written to take (KAFKA_MAX_MESSAGE_BYTES): their
   * `max.message.bytes`, which the stack sets from the same param. Sends are split into requests under it,
   * and the processor writes no record that would not fit alone.
   */
  readonly maxMessageBytes: number
  /**
   * Keep the connection open between invocations. Inside Lambda (AWS_EXECUTION_ENV set) the process is
   * frozen between invocations and reuse saves a connect per invocation; elsewhere (`invoke local`,
   * scripts) an open connection would keep the process from exiting.
   */
  readonly reuseConnection: boolean
}

export interface ProducerConfig {
  readonly kafka: KafkaConnectionConfig
  readonly sourceTopic: string
  readonly batchesPerInvocation: number
  readonly batchIntervalMs: number
}

export interface ProcessorConfig {
  readonly kafka: KafkaConnectionConfig
  readonly sinkTopic: string
  readonly deadLetterTopic: string
  /** Must match the event source mapping's FunctionResponseTypes (ReportBatchItemFailures). */
  readonly reportBatchItemFailures: boolean
  /** The sink format's name (SINK_FORMAT): `flink` (the default) or `json`. */
  readonly sinkFormat: string
  /** The sink format: how records are read from the source topic and written to the sink. */
  readonly format: StockFormat
  /** How source values are read: `strict` (the default) or exactly as the Flink job did (`flink`). */
  readonly validation: ValidationMode
}

/** Room for a dead letter's own headers, however short its value is cut. */
export const MIN_MAX_MESSAGE_BYTES = 16_384
/** Kafka's own bound on a request (`socket.request.max.bytes`, 100 MiB). */
export const MAX_MAX_MESSAGE_BYTES = 104_857_600

const CLUSTER_ARN = /^arn:aws[a-z-]*:kafka:([a-z0-9-]+):\d{12}:cluster\/[^/]+\/[^/]+$/
const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/

/** Collects every problem first, so a misconfigured stage is fixed in one round. */
class Reader {
  readonly problems: string[] = []
  constructor(private readonly env: Env) {}

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.optional(name) ?? fallback
    if ((allowed as readonly string[]).includes(value)) return value as T
    this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`)
    return fallback
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.optional(name)
    if (text === undefined) return fallback
    if (text === 'true' || text === 'false') return text === 'true'
    this.problems.push(`${name} must be true or false, got "${text}"`)
    return fallback
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.optional(name)
    if (text === undefined) return fallback
    const value = Number(text)
    if (Number.isInteger(value) && value >= min && value <= max) return value
    this.problems.push(`${name} must be a whole number from ${min} to ${max}, got "${text}"`)
    return fallback
  }

  topic(name: string, fallback: string): string {
    const value = this.string(name, fallback)
    if (!TOPIC.test(value)) this.problems.push(`${name} is not a valid Kafka topic name: "${value}"`)
    return value
  }

  done<T>(what: string, value: T): T {
    if (this.problems.length > 0) {
      throw new ConfigError(`Invalid ${what} configuration: ${this.problems.join('; ')}`)
    }
    return value
  }
}

export function regionOfClusterArn(arn: string): string | undefined {
  return CLUSTER_ARN.exec(arn)?.[1]
}

/** `lookup`: the brokers may come from GetBootstrapBrokers; `explicit`: KAFKA_BOOTSTRAP_SERVERS is required. */
export type BrokerSource = 'lookup' | 'explicit'

function readKafka(read: Reader, env: Env, brokers: BrokerSource): KafkaConnectionConfig {
  const bootstrapServers = (read.optional('KAFKA_BOOTSTRAP_SERVERS') ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '')
  const badBrokers = bootstrapServers.filter((broker) => !BROKER.test(broker))
  if (badBrokers.length > 0) {
    read.problems.push(`KAFKA_BOOTSTRAP_SERVERS must be host:port entries, got "${badBrokers.join(',')}"`)
  }
  const clusterArn = read.optional('MSK_CLUSTER_ARN')
  if (clusterArn !== undefined && !CLUSTER_ARN.test(clusterArn)) {
    read.problems.push(`MSK_CLUSTER_ARN is not an MSK cluster ARN: "${clusterArn}"`)
  }
  if (bootstrapServers.length === 0 && brokers === 'explicit') {
    read.problems.push(
      'KAFKA_BOOTSTRAP_SERVERS is required (deployed, the stack sets it from the Custom::KafkaTopics resource)',
    )
  } else if (bootstrapServers.length === 0 && clusterArn === undefined) {
    read.problems.push('set KAFKA_BOOTSTRAP_SERVERS or MSK_CLUSTER_ARN (the brokers are looked up from it)')
  }
  const auth = read.oneOf<AuthMode>('KAFKA_AUTH', ['iam', 'none'], 'iam')
  const region =
    read.optional('KAFKA_REGION') ??
    (clusterArn === undefined ? undefined : regionOfClusterArn(clusterArn)) ??
    read.optional('AWS_REGION')
  if (region === undefined && (auth === 'iam' || bootstrapServers.length === 0)) {
    read.problems.push('KAFKA_REGION (or AWS_REGION) is required for IAM auth and broker discovery')
  }
  return {
    bootstrapServers,
    clusterArn,
    auth,
    region,
    clientId: read.string('KAFKA_CLIENT_ID', env.AWS_LAMBDA_FUNCTION_NAME ?? 'msk-lambda-stocks'),
    tlsCaFile: read.optional('KAFKA_TLS_CA_FILE'),
    connectTimeoutMs: read.integer('KAFKA_CONNECT_TIMEOUT_MS', 3_000, 100, 60_000),
    requestTimeoutMs: read.integer('KAFKA_REQUEST_TIMEOUT_MS', 10_000, 100, 120_000),
    sendTimeoutMs: read.integer('KAFKA_SEND_TIMEOUT_MS', 20_000, 100, 600_000),
    retries: read.integer('KAFKA_RETRIES', 3, 1, 20),
    maxProducers: read.integer('KAFKA_MAX_PRODUCERS', 4, 1, 64),
    maxMessageBytes: read.integer(
      'KAFKA_MAX_MESSAGE_BYTES',
      KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
      MIN_MAX_MESSAGE_BYTES,
      MAX_MAX_MESSAGE_BYTES,
    ),
    reuseConnection: read.boolean('KAFKA_REUSE_CONNECTION', read.optional('AWS_EXECUTION_ENV') !== undefined),
  }
}

/**
 * Just the connection, for what only talks to the cluster: the topics function, which also looks the
 * brokers up for the others, and the scripts.
 */
export function loadKafkaConfig(env: Env = process.env): KafkaConnectionConfig {
  const read = new Reader(env)
  return read.done('Kafka connection', readKafka(read, env, 'lookup'))
}

/** `brokers: 'lookup'` is for the scripts, which may be pointed at a cluster by its ARN alone. */
export function loadProducerConfig(
  env: Env = process.env,
  brokers: BrokerSource = 'explicit',
): ProducerConfig {
  const read = new Reader(env)
  return read.done('producer', {
    kafka: readKafka(read, env, brokers),
    sourceTopic: read.topic('SOURCE_TOPIC', 'stocks-in'),
    batchesPerInvocation: read.integer('PRODUCER_BATCHES_PER_INVOCATION', 1, 1, 120),
    batchIntervalMs: read.integer('PRODUCER_BATCH_INTERVAL_MS', 10_000, 0, 900_000),
  })
}

export function loadProcessorConfig(
  env: Env = process.env,
  brokers: BrokerSource = 'explicit',
): ProcessorConfig {
  const read = new Reader(env)
  const sinkFormat = read.oneOf('SINK_FORMAT', SINK_FORMAT_NAMES, DEFAULT_SINK_FORMAT)
  const format = SINK_FORMATS[sinkFormat] ?? (SINK_FORMATS[DEFAULT_SINK_FORMAT] as StockFormat)
  const validation = read.oneOf('VALIDATION_MODE', VALIDATION_MODES, 'strict')
  if (!format.validations.includes(validation)) {
    read.problems.push(
      `VALIDATION_MODE ${validation} needs a sink format that offers it; SINK_FORMAT ${sinkFormat} offers ${format.validations.join(', ')}`,
    )
  }
  return read.done('processor', {
    kafka: readKafka(read, env, brokers),
    sinkTopic: read.topic('SINK_TOPIC', 'stocks-out'),
    deadLetterTopic: read.topic('DEAD_LETTER_TOPIC', 'stocks-dlq'),
    reportBatchItemFailures: read.boolean('REPORT_BATCH_ITEM_FAILURES', false),
    sinkFormat,
    format,
    validation,
  })
}
