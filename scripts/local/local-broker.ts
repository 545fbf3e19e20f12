import { spawnSync } from 'node:child_process'
import { StocksError } from '../../lib/errors.js'

/**
 * The local broker of scripts/kafka/kafka.sh, on the ports in the environment (KAFKA_PORT...), for the
 * commands that start it when it is not running and stop it after (`npm start`, `npm run bench`).
 */

const KAFKA_SCRIPT = new URL('../kafka/kafka.sh', import.meta.url).pathname

export class BrokerStartError extends StocksError {}

export function localBrokerRunning(env: NodeJS.ProcessEnv = process.env): boolean {
  return spawnSync(KAFKA_SCRIPT, ['status'], { env, stdio: 'ignore' }).status === 0
}

/** Stops the broker and deletes its data, as `npm run kafka:stop` does. */
export function stopLocalBroker(env: NodeJS.ProcessEnv = process.env): void {
  spawnSync(KAFKA_SCRIPT, ['stop'], { env, stdio: 'inherit' })
}

/**
 * Starts the broker unless it is running (kafka.sh prints its progress on stderr). Returns how to stop it:
 * a no-op when it was running already, since it is someone else's.
 */
export function startLocalBroker(env: NodeJS.ProcessEnv = process.env): {
  startedHere: boolean
  stop: () => void
} {
  if (localBrokerRunning(env)) return { startedHere: false, stop: () => undefined }
  const started = spawnSync(KAFKA_SCRIPT, ['start'], { env, stdio: 'inherit' })
  if (started.status !== 0) {
    throw new BrokerStartError(
      `the local broker did not start on 127.0.0.1:${env.KAFKA_PORT ?? '9092'} (the [kafka] lines above say why)`,
    )
  }
  return { startedHere: true, stop: () => stopLocalBroker(env) }
}
