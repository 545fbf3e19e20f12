import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import middy from '@middy/core'
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda'
import {
  answerCloudFormation,
  type CustomResourceOutcome,
  type CustomResourceResponse,
} from '../lib/cloudformation/custom-resource.js'
import { OperationTimeoutError } from '../lib/errors.js'
import { logger } from '../lib/log.js'

/** Time kept back from the function's timeout to answer CloudFormation after giving up on the work. */
const ANSWER_MARGIN_MS = 10_000

export const handler = middy<
  CloudFormationCustomResourceEvent,
  CustomResourceResponse | CustomResourceOutcome,
  Error,
  Context
>({
  // Work that runs into the function's timeout becomes a FAILED answer, while there is time to send it.
  timeoutEarlyInMillis: ANSWER_MARGIN_MS,
  timeoutEarlyResponse: () => {
    throw new OperationTimeoutError('The topics were not ready before the function timeout')
  },
})
  .use(injectLambdaContext(logger))
  .use(answerCloudFormation())
  .handler(async (event) => {
    // Loaded on the request, so a module or a setting that fails becomes a FAILED answer, not a silent crash.
    const { applyTopicsRequest } = await import('../lib/topics/topics-request.js')
    return applyTopicsRequest(event)
  })
