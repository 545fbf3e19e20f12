import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CloudFormationCustomResourceEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBrokerResolver } from '../../lib/kafka/brokers.js'
import { createKafka } from '../../lib/kafka/client.js'
import { clusterTopicsDeps, handleTopicsEvent } from '../../lib/topics/custom-resource.js'
import { localKafkaConfig, testKafka } from '../support/kafka.js'

/** Stands in for CloudFormation's pre-signed response URL: records every PUT. */
let server: Server
const responses: { method: string | undefined; body: Record<string, unknown> }[] = []
let responseUrl: string

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      responses.push({ method: request.method, body: JSON.parse(body) })
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`
})
afterAll(() => {
  server.close()
})

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  topics: string[],
): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:topics',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/msk-lambda-stocks-dev/1',
    RequestId: `request-${responses.length}`,
    LogicalResourceId: 'Topics',
    ResourceType: 'Custom::KafkaTopics',
    ResourceProperties: { ServiceToken: 'x', Topics: topics, NumPartitions: '2', ReplicationFactor: '-1' },
    ...(requestType === 'Create'
      ? {}
      : { PhysicalResourceId: 'kafka-topics-Topics', OldResourceProperties: {} }),
  } as CloudFormationCustomResourceEvent
}

function deps(config = localKafkaConfig()) {
  const brokers = createBrokerResolver(config)
  return clusterTopicsDeps(createKafka(config, brokers), brokers, 20_000)
}

describe('the topics custom resource, against the local broker', () => {
  const suffix = Date.now().toString(36)
  const topics = ['in', 'out', 'dlq'].map((name) => `cr-${name}-${suffix}`)

  it('creates the missing topics with the partitions asked for, and tells CloudFormation', async () => {
    const result = await handleTopicsEvent(event('Create', topics), deps())
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'kafka-topics-Topics' })
    expect(responses.at(-1)).toMatchObject({
      method: 'PUT',
      body: {
        Status: 'SUCCESS',
        LogicalResourceId: 'Topics',
        // What the producer and processor get as KAFKA_BOOTSTRAP_SERVERS.
        Data: { Created: topics.join(','), BootstrapBrokers: localKafkaConfig().bootstrapServers.join(',') },
      },
    })
    const admin = testKafka().admin()
    await admin.connect()
    const metadata = await admin.fetchTopicMetadata({ topics })
    await admin.disconnect()
    expect(metadata.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual(
      topics.map((t) => [t, 2]).sort(),
    )
  })

  it('leaves existing topics alone on update, and keeps them on delete', async () => {
    const update = await handleTopicsEvent(event('Update', topics), deps())
    expect(update).toMatchObject({
      Status: 'SUCCESS',
      Data: { Created: '', BootstrapBrokers: localKafkaConfig().bootstrapServers.join(',') },
    })
    const remove = await handleTopicsEvent(event('Delete', topics), deps())
    expect(remove.Status).toBe('SUCCESS')
    const admin = testKafka().admin()
    await admin.connect()
    const existing = await admin.listTopics()
    await admin.disconnect()
    for (const topic of topics) expect(existing).toContain(topic)
  })

  it('answers FAILED with the reason when the cluster cannot be reached, so the stack does not wait', async () => {
    const unreachable = localKafkaConfig({ bootstrapServers: ['127.0.0.1:1'], retries: 1 })
    const result = await handleTopicsEvent(event('Create', topics), deps(unreachable))
    expect(result.Status).toBe('FAILED')
    expect(responses.at(-1)?.body).toMatchObject({ Status: 'FAILED' })
    expect(String(responses.at(-1)?.body.Reason)).toMatch(
      /^Could not create the Kafka topics: .*ECONNREFUSED/,
    )
  })
})
