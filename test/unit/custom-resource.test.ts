import middy from '@middy/core'
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  answerCloudFormation,
  type CustomResourceOutcome,
  type CustomResourceResponse,
} from '../../lib/cloudformation/custom-resource.js'
import { topicSpecsOf } from '../../lib/topics/topics-request.js'

const event = (requestType: 'Create' | 'Update' | 'Delete') =>
  ({
    RequestType: requestType,
    ResponseURL: 'https://cloudformation-custom-resource-response.example/put',
    StackId: 'stack',
    RequestId: 'request-1',
    LogicalResourceId: 'Topics',
    ResourceType: 'Custom::KafkaTopics',
    ResourceProperties: { ServiceToken: 'x' },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'Topics-request-0' }),
  }) as CloudFormationCustomResourceEvent

/** A handler wrapped as functions/topics.ts wraps it, answering into a list instead of S3. */
function wrapped(work: () => Promise<CustomResourceOutcome>) {
  const sent: CustomResourceResponse[] = []
  const handler = middy<CloudFormationCustomResourceEvent, CustomResourceResponse | CustomResourceOutcome>()
    .use(
      answerCloudFormation(async (_url, body) => {
        sent.push(JSON.parse(body))
      }),
    )
    .handler(work)
  return { handler, sent }
}

describe('answerCloudFormation', () => {
  it('answers once with the outcome, keeping the physical id on update', async () => {
    const { handler, sent } = wrapped(async () => ({ status: 'SUCCESS', reason: 'OK', data: { A: '1' } }))
    await handler(event('Update'), {} as Context)
    expect(sent).toEqual([
      {
        Status: 'SUCCESS',
        Reason: 'OK',
        PhysicalResourceId: 'Topics-request-0',
        StackId: 'stack',
        RequestId: 'request-1',
        LogicalResourceId: 'Topics',
        Data: { A: '1' },
      },
    ])
  })

  it('answers FAILED with the reason when the work throws, even while loading a module, and handles it', async () => {
    const { handler, sent } = wrapped(async () => {
      await import('./no-such-module-here.js' as string)
      return { status: 'SUCCESS', reason: 'unreachable' }
    })
    const response = await handler(event('Create'), {} as Context)
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'Topics-request-1' })
    expect(sent[0]?.Reason).toMatch(/no-such-module-here/)
    expect(response).toMatchObject({ Status: 'FAILED' })
  })

  it('answers FAILED rather than send a body CloudFormation would refuse (over 4096 bytes)', async () => {
    const { handler, sent } = wrapped(async () => ({
      status: 'SUCCESS',
      reason: 'OK',
      data: { BootstrapBrokers: 'b'.repeat(5000) },
    }))
    await handler(event('Create'), {} as Context)
    expect(sent[0]).toMatchObject({ Status: 'FAILED' })
    expect(sent[0]?.Reason).toMatch(/CloudFormation takes 4096/)
  })
})

describe('the Custom::KafkaTopics properties', () => {
  it('reads the text CloudFormation sends', () => {
    expect(topicSpecsOf({ Topics: ['a', 'b'], NumPartitions: '2', ReplicationFactor: '-1' })).toEqual([
      { topic: 'a', numPartitions: 2, replicationFactor: -1 },
      { topic: 'b', numPartitions: 2, replicationFactor: -1 },
    ])
  })

  it('reads the record batch size the topics must take, when given', () => {
    expect(
      topicSpecsOf({
        Topics: ['a'],
        NumPartitions: '2',
        ReplicationFactor: '-1',
        MaxMessageBytes: '2097152',
      }),
    ).toEqual([{ topic: 'a', numPartitions: 2, replicationFactor: -1, maxMessageBytes: 2_097_152 }])
  })

  it('names every bad property at once', () => {
    expect(() =>
      topicSpecsOf({ Topics: [], NumPartitions: '0', ReplicationFactor: '0', MaxMessageBytes: '1000' }),
    ).toThrow(
      /Topics must be a list.*NumPartitions must be at least 1.*ReplicationFactor must be -1.*MaxMessageBytes must be a whole number of at least 16384/,
    )
  })
})
