import type { CloudFormationCustomResourceEvent } from 'aws-lambda'
import type { Admin, Kafka } from 'kafkajs'
import type { BrokerResolver } from '../kafka/broker-list.js'
import { ensureTopics } from '../kafka/topics.js'
import { describeError, log } from '../log.js'
import { withTimeout } from '../timeout.js'

/** What the stack asks for: `Custom::KafkaTopics` properties. */
export interface TopicsProperties {
  readonly Topics: readonly string[]
  readonly NumPartitions: number | string
  readonly ReplicationFactor: number | string
}

export interface TopicsDeps {
  /** The cluster's bootstrap brokers, handed to the producer and processor through the stack. */
  readonly brokers: BrokerResolver
  /** A connected admin client; disconnected by the caller. */
  readonly admin: () => Promise<Admin>
  /** Sends the response to CloudFormation's pre-signed URL. */
  readonly respond: (url: string, body: string) => Promise<void>
  /** Time to answer before the function times out, leaving room for the response. */
  readonly deadlineMs: number
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED'
  readonly Reason: string
  readonly PhysicalResourceId: string
  readonly StackId: string
  readonly RequestId: string
  readonly LogicalResourceId: string
  /** `Fn::GetAtt Topics.BootstrapBrokers` gives the producer and processor their brokers. */
  readonly Data: { readonly Created: string; readonly BootstrapBrokers: string }
}

/** PUTs the response to CloudFormation's pre-signed S3 URL, as cfn-response does. */
export async function putResponse(url: string, body: string): Promise<void> {
  const response = await fetch(url, {
    method: 'PUT',
    body,
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
  })
  if (!response.ok) throw new Error(`CloudFormation did not take the response: HTTP ${response.status}`)
}

/** The function's dependencies: its Kafka client (made once per container), over the cluster's brokers. */
export function clusterTopicsDeps(kafka: Kafka, brokers: BrokerResolver, deadlineMs: number): TopicsDeps {
  return {
    brokers,
    admin: async () => {
      const admin = kafka.admin()
      await admin.connect()
      return admin
    },
    respond: putResponse,
    deadlineMs,
  }
}

async function createTopics(properties: TopicsProperties, deps: TopicsDeps): Promise<string[]> {
  const numPartitions = Number(properties.NumPartitions)
  const replicationFactor = Number(properties.ReplicationFactor)
  if (!Array.isArray(properties.Topics) || properties.Topics.length === 0) throw new Error('Topics is empty')
  if (!Number.isInteger(numPartitions) || numPartitions < 1)
    throw new Error('NumPartitions must be at least 1')
  if (!Number.isInteger(replicationFactor))
    throw new Error('ReplicationFactor must be a whole number (-1: default)')
  const admin = await deps.admin()
  try {
    return await ensureTopics(
      admin,
      properties.Topics.map((topic) => ({ topic, numPartitions, replicationFactor })),
    )
  } finally {
    await admin.disconnect()
  }
}

/**
 * The `Custom::KafkaTopics` resource: on Create and Update, creates the topics that are missing (MSK
 * Serverless cannot auto-create them); on Delete, leaves them, as their records belong to the cluster.
 * It always answers CloudFormation, with the reason on failure, so a stack never waits an hour.
 */
export async function handleTopicsEvent(
  event: CloudFormationCustomResourceEvent,
  deps: TopicsDeps,
): Promise<CustomResourceResponse> {
  const physicalId =
    event.RequestType === 'Create' ? `kafka-topics-${event.LogicalResourceId}` : event.PhysicalResourceId
  let status: CustomResourceResponse['Status'] = 'SUCCESS'
  let reason = 'OK'
  let created: string[] = []
  let brokers: string[] = []
  try {
    if (event.RequestType !== 'Delete') {
      const properties = event.ResourceProperties as unknown as TopicsProperties
      created = await withTimeout(createTopics(properties, deps), deps.deadlineMs, 'Creating the topics')
      // The same brokers the topics were just created through, so the stack never hands out a dead list.
      brokers = await deps.brokers()
      log.info('Topics ready', { created, topics: properties.Topics, brokers })
    }
  } catch (error) {
    status = 'FAILED'
    reason = `Could not create the Kafka topics: ${(error as Error).message}`
    log.error('Topics not created', { error: describeError(error) })
  }
  const response: CustomResourceResponse = {
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: { Created: created.join(','), BootstrapBrokers: brokers.join(',') },
  }
  await deps.respond(event.ResponseURL, JSON.stringify(response))
  return response
}
