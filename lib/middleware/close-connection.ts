import type middy from '@middy/core'
import type { MessageSink } from '../kafka/sink.js'

/**
 * Closes the Kafka connection after each invocation when it is not meant to be reused (outside the
 * Lambda runtime), so that `serverless invoke local` and scripts exit once the handler is done.
 */
export function closeConnectionAfterInvocation(
  sink: MessageSink,
  reuseConnection: boolean,
): middy.MiddlewareObj {
  const close = async () => {
    if (!reuseConnection) await sink.close()
  }
  return { after: close, onError: close }
}
