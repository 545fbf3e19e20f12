import { spawnSync } from 'node:child_process'
import { KAFKA_SCRIPT } from './kafka.js'

/**
 * The integration tests run against a real broker: start the local one (installing it on first use) unless
 * it is already running, and stop it afterwards only if this run started it.
 */
export default function setup(): () => void {
  const wasRunning = spawnSync(KAFKA_SCRIPT, ['status'], { stdio: 'ignore' }).status === 0
  if (!wasRunning) {
    const started = spawnSync(KAFKA_SCRIPT, ['start'], { stdio: 'inherit' })
    if (started.status !== 0) throw new Error('could not start the local Kafka broker; see the lines above')
  }
  return () => {
    if (!wasRunning) spawnSync(KAFKA_SCRIPT, ['stop'], { stdio: 'inherit' })
  }
}
