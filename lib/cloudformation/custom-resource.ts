import type middy from '@middy/core'
import type { CloudFormationCustomResourceEvent } from 'aws-lambda'
import { asError } from '../errors.js'
import { logger } from '../log.js'

/**
 * CloudFormation's custom resource protocol ("CloudFormation custom resource request and response
 * reference"): the function answers every request, once, with a PUT of a JSON body to the pre-signed
 * ResponseURL. A stack waits for that answer, up to the resource's ServiceTimeout.
 */
export interface CustomResourceOutcome {
  readonly status: 'SUCCESS' | 'FAILED'
  readonly reason: string
  /** Name-value pairs for `Fn::GetAtt`; CloudFormation ignores them on Delete. */
  readonly data?: Readonly<Record<string, string>>
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED'
  readonly Reason: string
  readonly PhysicalResourceId: string
  readonly StackId: string
  readonly RequestId: string
  readonly LogicalResourceId: string
  readonly Data?: Readonly<Record<string, string>>
}

/** CloudFormation refuses a larger response body. */
const MAX_RESPONSE_BYTES = 4096

/**
 * The resource's physical id: chosen on Create and kept on every Update, since a different one makes
 * CloudFormation replace the resource (and send a Delete for the old one).
 */
export function physicalIdOf(event: CloudFormationCustomResourceEvent): string {
  return event.RequestType === 'Create'
    ? `${event.LogicalResourceId}-${event.RequestId}`
    : event.PhysicalResourceId
}

export function responseTo(
  event: CloudFormationCustomResourceEvent,
  outcome: CustomResourceOutcome,
): CustomResourceResponse {
  return {
    Status: outcome.status,
    // A long reason would push the body over the limit; the logs keep the whole story.
    Reason: outcome.reason.slice(0, 1024),
    PhysicalResourceId: physicalIdOf(event),
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(outcome.data === undefined || event.RequestType === 'Delete' ? {} : { Data: outcome.data }),
  }
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

async function answer(
  event: CloudFormationCustomResourceEvent,
  outcome: CustomResourceOutcome,
  send: (url: string, body: string) => Promise<void>,
): Promise<CustomResourceResponse> {
  let response = responseTo(event, outcome)
  let body = JSON.stringify(response)
  if (Buffer.byteLength(body) > MAX_RESPONSE_BYTES) {
    response = responseTo(event, {
      status: 'FAILED',
      reason: `the response would be ${Buffer.byteLength(body)} bytes; CloudFormation takes ${MAX_RESPONSE_BYTES}`,
    })
    body = JSON.stringify(response)
  }
  if (response.Status === 'FAILED')
    logger.error('Answering CloudFormation: FAILED', { reason: response.Reason })
  await send(event.ResponseURL, body)
  return response
}

/**
 * Answers CloudFormation whatever the handler does: with its outcome, or FAILED with the reason when it
 * throws (a bad setting, a module that would not load, a broker out of reach, the deadline), so no stack
 * ever waits out its ServiceTimeout for a failure the function saw. The error is then handled: a thrown
 * error would make Lambda retry the invocation, and CloudFormation would get a second answer.
 */
export function answerCloudFormation(
  send: (url: string, body: string) => Promise<void> = putResponse,
): middy.MiddlewareObj<CloudFormationCustomResourceEvent, CustomResourceResponse | CustomResourceOutcome> {
  return {
    after: async (request) => {
      request.response = await answer(request.event, request.response as CustomResourceOutcome, send)
    },
    onError: async (request) => {
      const error = asError(request.error)
      logger.error('Custom resource request failed', { error })
      request.response = await answer(request.event, { status: 'FAILED', reason: error.message }, send)
    },
  }
}
