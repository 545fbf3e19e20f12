import { spawnSync } from 'node:child_process'
import { StocksError } from '../../lib/errors.js'

/**
 * The SQS-compatible server of scripts/sqs/sqs-server.sh on SQS_PORT, for `npm start` with an SQS
 * on-failure destination: started when it is not running, and stopped after only if started here.
 */

const SQS_SCRIPT = new URL('../sqs/sqs-server.sh', import.meta.url).pathname

export function startLocalSqs(env: NodeJS.ProcessEnv = process.env): { endpoint: string; stop: () => void } {
  const endpoint = spawnSync(SQS_SCRIPT, ['endpoint'], { env, encoding: 'utf8' }).stdout.trim()
  if (spawnSync(SQS_SCRIPT, ['status'], { env, stdio: 'ignore' }).status === 0) {
    return { endpoint, stop: () => undefined }
  }
  if (spawnSync(SQS_SCRIPT, ['start'], { env, stdio: 'inherit' }).status !== 0) {
    throw new StocksError(`the local SQS server did not start at ${endpoint} (the [sqs] lines above say why)`)
  }
  return { endpoint, stop: () => void spawnSync(SQS_SCRIPT, ['stop'], { env, stdio: 'inherit' }) }
}
