import { randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'

/** The context Lambda passes a handler, for a local invocation that may run `timeoutMs`. */
export function lambdaContext(
  functionName: string,
  timeoutMs: number,
  requestId: string = randomUUID(),
): Context {
  const deadline = Date.now() + timeoutMs
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(functionName),
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }
}

export function localFunctionArn(functionName: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`
}
