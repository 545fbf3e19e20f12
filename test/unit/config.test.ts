import { describe, expect, it } from 'vitest'
import { loadKafkaConfig, loadProcessorConfig, loadProducerConfig } from '../../lib/config.js'
import { asError, ConfigError } from '../../lib/errors.js'
import { DEFAULT_SINK_FORMAT, SINK_FORMAT_NAMES, SINK_FORMATS } from '../../lib/sink-formats.js'

const ARN = 'arn:aws:kafka:ap-southeast-2:123456789012:cluster/stocks/0b5d7a2e-1c3f-4e6a-9d8b-2f4e6a8c0d1e-2'

describe('where the brokers come from', () => {
  it('the producer and processor need the broker list: their cold starts never call the MSK API', () => {
    for (const load of [loadProducerConfig, loadProcessorConfig]) {
      expect(() => load({ MSK_CLUSTER_ARN: ARN })).toThrow(/KAFKA_BOOTSTRAP_SERVERS is required/)
    }
  })

  it('the topics function and the scripts may look them up from the cluster ARN alone', () => {
    expect(loadKafkaConfig({ MSK_CLUSTER_ARN: ARN })).toMatchObject({ bootstrapServers: [], clusterArn: ARN })
    expect(loadProcessorConfig({ MSK_CLUSTER_ARN: ARN }, 'lookup').kafka.clusterArn).toBe(ARN)
    expect(() => loadKafkaConfig({})).toThrow(/KAFKA_BOOTSTRAP_SERVERS or MSK_CLUSTER_ARN/)
  })
})

describe('loadProducerConfig', () => {
  it('uses the defaults: IAM auth, stocks-in, one batch', () => {
    const config = loadProducerConfig({ MSK_CLUSTER_ARN: ARN, KAFKA_BOOTSTRAP_SERVERS: 'b-1.example:9098' })
    expect(config).toMatchObject({
      sourceTopic: 'stocks-in',
      batchesPerInvocation: 1,
      batchIntervalMs: 10_000,
      kafka: {
        auth: 'iam',
        clusterArn: ARN,
        bootstrapServers: ['b-1.example:9098'],
        region: 'ap-southeast-2',
        retries: 3,
        maxProducers: 4,
        maxMessageBytes: 1_048_588,
      },
    })
  })

  it('takes an explicit broker list and settings', () => {
    const config = loadProducerConfig({
      KAFKA_BOOTSTRAP_SERVERS: ' b-1.example:9098, b-2.example:9098 ',
      KAFKA_AUTH: 'none',
      SOURCE_TOPIC: 'prices',
      PRODUCER_BATCHES_PER_INVOCATION: '6',
      PRODUCER_BATCH_INTERVAL_MS: '5000',
    })
    expect(config.kafka.bootstrapServers).toEqual(['b-1.example:9098', 'b-2.example:9098'])
    expect(config).toMatchObject({ sourceTopic: 'prices', batchesPerInvocation: 6, batchIntervalMs: 5000 })
  })

  it('prefers KAFKA_REGION, then the cluster ARN, then AWS_REGION', () => {
    const brokers = { KAFKA_BOOTSTRAP_SERVERS: 'b:9098' }
    expect(
      loadProducerConfig({ ...brokers, MSK_CLUSTER_ARN: ARN, AWS_REGION: 'eu-west-1' }).kafka.region,
    ).toBe('ap-southeast-2')
    expect(
      loadProducerConfig({ ...brokers, MSK_CLUSTER_ARN: ARN, KAFKA_REGION: 'us-east-2' }).kafka.region,
    ).toBe('us-east-2')
    expect(
      loadProducerConfig({ KAFKA_BOOTSTRAP_SERVERS: 'b:9098', AWS_REGION: 'eu-west-1' }).kafka.region,
    ).toBe('eu-west-1')
  })

  it('reuses the connection inside Lambda only, unless told otherwise', () => {
    const base = { KAFKA_BOOTSTRAP_SERVERS: 'b:9092', KAFKA_AUTH: 'none' }
    expect(loadProducerConfig(base).kafka.reuseConnection).toBe(false)
    expect(
      loadProducerConfig({ ...base, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }).kafka.reuseConnection,
    ).toBe(true)
    expect(loadProducerConfig({ ...base, KAFKA_REUSE_CONNECTION: 'true' }).kafka.reuseConnection).toBe(true)
  })

  it('names the missing variables', () => {
    expect(() => loadProducerConfig({})).toThrow(ConfigError)
    expect(() => loadProducerConfig({})).toThrow(/KAFKA_BOOTSTRAP_SERVERS is required/)
    expect(() => loadProducerConfig({ KAFKA_BOOTSTRAP_SERVERS: 'b:9098' })).toThrow(
      /KAFKA_REGION \(or AWS_REGION\)/,
    )
  })

  it('names every invalid variable at once', () => {
    let message = ''
    try {
      loadProducerConfig({
        KAFKA_BOOTSTRAP_SERVERS: 'no-port',
        MSK_CLUSTER_ARN: 'arn:aws:s3:::bucket',
        KAFKA_AUTH: 'scram',
        PRODUCER_BATCHES_PER_INVOCATION: '0',
        PRODUCER_BATCH_INTERVAL_MS: 'soon',
        SOURCE_TOPIC: 'bad topic',
        KAFKA_REUSE_CONNECTION: 'yes',
      })
    } catch (error) {
      message = asError(error).message
    }
    for (const name of [
      'KAFKA_BOOTSTRAP_SERVERS',
      'MSK_CLUSTER_ARN',
      'KAFKA_AUTH',
      'PRODUCER_BATCHES_PER_INVOCATION',
      'PRODUCER_BATCH_INTERVAL_MS',
      'SOURCE_TOPIC',
      'KAFKA_REUSE_CONNECTION',
    ]) {
      expect(message).toContain(name)
    }
  })
})

describe('loadProcessorConfig', () => {
  it('uses stocks-out and stocks-dlq by default', () => {
    const config = loadProcessorConfig({ KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092', KAFKA_AUTH: 'none' })
    expect(config).toMatchObject({ sinkTopic: 'stocks-out', deadLetterTopic: 'stocks-dlq' })
    expect(config.kafka.region).toBeUndefined()
  })

  it('rejects an invalid topic name', () => {
    expect(() =>
      loadProcessorConfig({ KAFKA_BOOTSTRAP_SERVERS: 'b:1', KAFKA_AUTH: 'none', SINK_TOPIC: 'a/b' }),
    ).toThrow(/SINK_TOPIC/)
  })

  it('takes the sink format by name, the default one when unset', () => {
    const base = { KAFKA_BOOTSTRAP_SERVERS: 'b:1', KAFKA_AUTH: 'none' }
    expect(loadProcessorConfig(base).sinkFormat).toBe(DEFAULT_SINK_FORMAT)
    const json = loadProcessorConfig({ ...base, SINK_FORMAT: 'json' })
    expect(json).toMatchObject({ sinkFormat: 'json', format: SINK_FORMATS.json, validation: 'strict' })
    expect(() => loadProcessorConfig({ ...base, SINK_FORMAT: 'avro' })).toThrow(
      `SINK_FORMAT must be one of ${SINK_FORMAT_NAMES.join(', ')}, got "avro"`,
    )
  })

  it('refuses a validation mode the sink format does not offer, naming both', () => {
    expect(() =>
      loadProcessorConfig({
        KAFKA_BOOTSTRAP_SERVERS: 'b:1',
        KAFKA_AUTH: 'none',
        SINK_FORMAT: 'json',
        VALIDATION_MODE: 'flink',
      }),
    ).toThrow('VALIDATION_MODE flink needs a sink format that offers it; SINK_FORMAT json offers strict')
  })
})
