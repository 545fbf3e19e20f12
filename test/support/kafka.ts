import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { type Admin, Kafka, type KafkaMessage, logLevel } from 'kafkajs'
import { afterAll, beforeAll } from 'vitest'
import type { KafkaConnectionConfig } from '../../lib/config.js'
import { localBrokers } from '../../scripts/local/local-brokers.cjs'

export const PROJECT_DIR = new URL('../..', import.meta.url).pathname
export const KAFKA_SCRIPT = join(PROJECT_DIR, 'scripts/kafka/kafka.sh')
/** The run's broker (test/support/global-setup.ts), by the rule every local tool follows. */
export const LOCAL_BROKER = localBrokers().plaintext
/** The local broker's SASL_SSL listener, where MskIamTokenValidator checks MSK IAM tokens. */
export const LOCAL_IAM_BROKER = localBrokers().iam
export const LOCAL_IAM_REGION = process.env.KAFKA_IAM_REGION ?? 'us-east-1'

/** Identities from scripts/kafka/iam/credentials.properties, which the local validator accepts. */
export const TEST_IDENTITY = {
  accessKeyId: 'LOCALTESTPRODUCERKEY',
  secretAccessKey: 'local-test-producer-secret',
  environment: {
    AWS_ACCESS_KEY_ID: 'LOCALTESTPRODUCERKEY',
    AWS_SECRET_ACCESS_KEY: 'local-test-producer-secret',
  },
} as const
export const TEST_SESSION_IDENTITY = {
  accessKeyId: 'LOCALTESTSESSIONKEY1',
  secretAccessKey: 'local-test-session-secret',
  sessionToken: 'local-test-session-token',
} as const

/** The connection settings the functions would use against the local PLAINTEXT broker. */
export function localKafkaConfig(overrides: Partial<KafkaConnectionConfig> = {}): KafkaConnectionConfig {
  return {
    bootstrapServers: [LOCAL_BROKER],
    clusterArn: undefined,
    auth: 'none',
    region: undefined,
    clientId: 'tests',
    tlsCaFile: undefined,
    connectTimeoutMs: 3_000,
    requestTimeoutMs: 10_000,
    sendTimeoutMs: 20_000,
    retries: 3,
    maxProducers: 4,
    maxMessageBytes: 1_048_588,
    reuseConnection: true,
    ...overrides,
  }
}

/** The same, over the IAM listener, trusting its self-signed certificate. */
export function iamKafkaConfig(overrides: Partial<KafkaConnectionConfig> = {}): KafkaConnectionConfig {
  return localKafkaConfig({
    bootstrapServers: [LOCAL_IAM_BROKER],
    auth: 'iam',
    region: LOCAL_IAM_REGION,
    tlsCaFile: execFileSync(KAFKA_SCRIPT, ['ca'], { encoding: 'utf8' }).trim(),
    ...overrides,
  })
}

/** A connected admin for the whole test file: connected before its tests, disconnected after them. */
export function connectedAdmin(kafka: Kafka = testKafka()): () => Admin {
  let admin: Admin | undefined
  beforeAll(async () => {
    admin = kafka.admin()
    await admin.connect()
  })
  afterAll(async () => {
    await admin?.disconnect()
  })
  return () => {
    if (admin === undefined) throw new Error('the test admin connects in beforeAll')
    return admin
  }
}

export function testKafka(clientId = 'tests'): Kafka {
  return new Kafka({ clientId, brokers: [LOCAL_BROKER], logLevel: logLevel.NOTHING })
}

/**
 * Fresh topics per test, so test files can run side by side on one broker; resolves once every partition
 * has a leader. kafkajs's own wait (waitForLeaders) gives up after a few metadata requests, which a broker
 * busy with the other test files can take longer than.
 */
export async function createTestTopics(
  admin: Admin,
  names: readonly string[],
  numPartitions = 2,
  /**
   * Topic configs by name, set as the topic is created: a config altered afterwards reaches the broker's
   * log a moment later, so a send right after may still meet the old value.
   */
  configs: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
) {
  const suffix = randomUUID().slice(0, 8)
  const topics = names.map((name) => `${name}-${suffix}`)
  await admin.createTopics({
    topics: names.map((name, i) => ({
      topic: topics[i] as string,
      numPartitions,
      replicationFactor: 1,
      configEntries: Object.entries(configs[name] ?? {}).map(([key, value]) => ({ name: key, value })),
    })),
    waitForLeaders: false,
  })
  const deadline = Date.now() + 60_000
  for (;;) {
    const led = await admin
      .fetchTopicMetadata({ topics })
      .then((metadata) =>
        metadata.topics.every(
          (topic) =>
            topic.partitions.length === numPartitions && topic.partitions.every((p) => p.leader >= 0),
        ),
      )
      .catch(() => false)
    if (led) return topics
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after 60 s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

export interface ConsumedRecord {
  readonly partition: number
  readonly offset: string
  readonly key: string | undefined
  readonly value: string | undefined
  readonly headers: Record<string, string>
  /** The value and headers as the bytes that were stored. */
  readonly rawValue: Buffer | null
  readonly rawHeaders: Record<string, Buffer>
}

function headersAsText(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(message.headers ?? {})) {
    headers[key] = (Array.isArray(value) ? value : [value]).map((one) => one?.toString() ?? '').join(',')
  }
  return headers
}

/** Reads a whole topic from the beginning until `count` records have arrived (or the time runs out). */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` })
  const records: ConsumedRecord[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`read ${records.length} of ${count} records from ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      )
      if (count === 0) {
        clearTimeout(timer)
        resolve()
        return
      }
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            records.push({
              partition,
              offset: message.offset,
              key: message.key?.toString(),
              value: message.value?.toString(),
              headers: headersAsText(message),
              rawValue: message.value,
              rawHeaders: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([key, value]) => [
                  key,
                  Buffer.concat([value ?? []].flat().map((one) => Buffer.from(one))),
                ]),
              ),
            })
            if (records.length >= count) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return records
}

/** The partitions the Java client's default partitioner picks for these keys, from the real Java code. */
export function javaPartitionsFor(keys: readonly string[], numPartitions: number): number[] {
  const home = execFileSync(KAFKA_SCRIPT, ['home'], { encoding: 'utf8' }).trim()
  const output = execFileSync(
    'java',
    [
      '-cp',
      join(home, 'libs', '*'),
      join(PROJECT_DIR, 'test/support/JavaPartitioner.java'),
      String(numPartitions),
      ...keys,
    ],
    { encoding: 'utf8' },
  )
  return output.trim().split('\n').map(Number)
}
