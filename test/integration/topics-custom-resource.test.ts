import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { CloudFormationCustomResourceEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCAL_BROKER, testKafka } from '../support/kafka.js'
import { invokeBundle, unpackedFunction } from '../support/packaged.js'

/** Stands in for CloudFormation's pre-signed response URL: records every PUT, with when it came. */
let server: Server
const responses: { method: string | undefined; at: number; body: Record<string, unknown> }[] = []
let responseUrl: string
let bundle: string
let removeBundle: () => void = () => undefined

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      responses.push({ method: request.method, at: Date.now(), body: JSON.parse(body) })
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`
  // The topics function as deployed: its bundle from the zip `serverless package` makes.
  const topics = await unpackedFunction('local', 'topics')
  removeBundle = topics.remove
  bundle = join(topics.dir, 'functions/topics.js')
}, 180_000)
afterAll(() => {
  server.close()
  removeBundle()
})

type RequestType = CloudFormationCustomResourceEvent['RequestType']

/** The record batch size the stack asks its topics to take (the maxMessageBytes param). */
const MAX_MESSAGE_BYTES = 2_097_152

function event(
  requestType: RequestType,
  topics: string[],
  numPartitions = 2,
  old?: { topics: string[]; numPartitions: number },
  maxMessageBytes = MAX_MESSAGE_BYTES,
): CloudFormationCustomResourceEvent {
  const properties = (t: string[], n: number) => ({
    ServiceToken: 'x',
    Topics: t,
    NumPartitions: String(n),
    ReplicationFactor: '-1',
    MaxMessageBytes: String(maxMessageBytes),
  })
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:topics',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/msk-lambda-stocks-dev/1',
    RequestId: `request-${responses.length}`,
    LogicalResourceId: 'Topics',
    ResourceType: 'Custom::KafkaTopics',
    ResourceProperties: properties(topics, numPartitions),
    ...(requestType === 'Create'
      ? {}
      : {
          PhysicalResourceId: 'Topics-request-0',
          OldResourceProperties: properties(old?.topics ?? topics, old?.numPartitions ?? numPartitions),
        }),
  } as CloudFormationCustomResourceEvent
}

/** The topics function's environment in the local stage: the local broker, no MSK API. */
const LOCAL_ENV = { KAFKA_BOOTSTRAP_SERVERS: LOCAL_BROKER, KAFKA_AUTH: 'none', STAGE: 'local' }

/** One cold invocation of the packaged function; what CloudFormation received, and how soon. */
async function invoke(request: CloudFormationCustomResourceEvent, env: Record<string, string> = LOCAL_ENV) {
  const before = responses.length
  const startedAt = Date.now()
  const invocation = await invokeBundle(bundle, request, env, 60_000)
  expect(invocation.code, invocation.stderr).toBe(0)
  expect(responses).toHaveLength(before + 1)
  const answer = responses.at(-1)
  return { body: answer?.body ?? {}, method: answer?.method, answeredInMs: (answer?.at ?? 0) - startedAt }
}

async function maxMessageBytesOf(topics: string[]) {
  const admin = testKafka().admin()
  await admin.connect()
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: 2, name, configNames: ['max.message.bytes'] })),
    })
    return Object.fromEntries(resources.map((r) => [r.resourceName, Number(r.configEntries[0]?.configValue)]))
  } finally {
    await admin.disconnect()
  }
}

async function partitionsOf(topics: string[]) {
  const admin = testKafka().admin()
  await admin.connect()
  try {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics })
    return Object.fromEntries(metadata.map((t) => [t.name, t.partitions.length]))
  } finally {
    await admin.disconnect()
  }
}

describe('the packaged topics function (Custom::KafkaTopics), against the local broker', () => {
  const suffix = Date.now().toString(36)
  const topics = ['in', 'out', 'dlq'].map((name) => `cr-${name}-${suffix}`)
  const added = `cr-gave-up-${suffix}`

  it('Create: makes the topics and answers SUCCESS with the brokers for the other functions', async () => {
    const { body, method } = await invoke(event('Create', topics))
    expect(method).toBe('PUT')
    expect(body).toMatchObject({
      Status: 'SUCCESS',
      LogicalResourceId: 'Topics',
      PhysicalResourceId: 'Topics-request-0',
      // What the producer and processor get as KAFKA_BOOTSTRAP_SERVERS.
      Data: { Created: topics.join(','), BootstrapBrokers: LOCAL_BROKER },
    })
    expect(await partitionsOf(topics)).toEqual(Object.fromEntries(topics.map((t) => [t, 2])))
    // As large as the records the functions write, the dead letters included.
    expect(await maxMessageBytesOf(topics)).toEqual(
      Object.fromEntries(topics.map((t) => [t, MAX_MESSAGE_BYTES])),
    )
  })

  it('Update: adds a topic and raises the partitions, keeping the physical id', async () => {
    const { body } = await invoke(event('Update', [...topics, added], 3, { topics, numPartitions: 2 }))
    expect(body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'Topics-request-0',
      Data: { Created: added, Extended: topics.join(','), BootstrapBrokers: LOCAL_BROKER },
    })
    expect(await partitionsOf([...topics, added])).toEqual(
      Object.fromEntries([...topics, added].map((t) => [t, 3])),
    )
  })

  it('Update: refuses fewer partitions, which Kafka cannot do, with the reason', async () => {
    const { body } = await invoke(event('Update', topics, 1, { topics, numPartitions: 3 }))
    expect(body.Status).toBe('FAILED')
    expect(String(body.Reason)).toMatch(/has 3 partitions; Kafka cannot reduce them to 1/)
    expect(await partitionsOf(topics)).toEqual(Object.fromEntries(topics.map((t) => [t, 3])))
  })

  it('Update: refuses topics that take smaller records than the functions would write, with the reason', async () => {
    const old = { topics, numPartitions: 3 }
    const { body } = await invoke(event('Update', topics, 3, old, 2 * MAX_MESSAGE_BYTES))
    expect(body.Status).toBe('FAILED')
    expect(String(body.Reason)).toMatch(
      new RegExp(
        `${topics[0]} \\(${MAX_MESSAGE_BYTES}\\).*take smaller record batches .* than the functions write \\(${2 * MAX_MESSAGE_BYTES}\\)`,
      ),
    )
  })

  it('answers FAILED with the reason within seconds for a bad setting', async () => {
    const { body, answeredInMs } = await invoke(event('Create', topics), {
      ...LOCAL_ENV,
      KAFKA_BOOTSTRAP_SERVERS: '',
      MSK_CLUSTER_ARN: 'arn:aws:kafka:eu-west-1:123:cluster/not-an-arn',
    })
    expect(body.Status).toBe('FAILED')
    expect(String(body.Reason)).toMatch(/MSK_CLUSTER_ARN is not an MSK cluster ARN/)
    expect(answeredInMs).toBeLessThan(10_000)
  })

  it('answers FAILED with the reason within seconds when the brokers cannot be reached', async () => {
    const { body, answeredInMs } = await invoke(event('Create', topics), {
      ...LOCAL_ENV,
      KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1',
    })
    expect(body.Status).toBe('FAILED')
    expect(String(body.Reason)).toMatch(/ECONNREFUSED|Connection error/)
    expect(answeredInMs).toBeLessThan(10_000)
  })

  it('Delete: always SUCCESS and keeps the topics, even with the cluster and the settings gone', async () => {
    const { body } = await invoke(event('Delete', topics), {
      KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1',
      MSK_CLUSTER_ARN: 'not-an-arn',
    })
    expect(body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'Topics-request-0' })
    expect(body.Data).toBeUndefined()
    expect(Object.keys(await partitionsOf(topics))).toHaveLength(topics.length)
  })
})
