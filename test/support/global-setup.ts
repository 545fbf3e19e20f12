import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { brokerOnGivenPorts, runningBroker, startTestBroker, type TestBroker } from './broker.js'
import type { RunEnvironment } from './run-environment.js'

/**
 * The integration tests run against a real broker of the run's own: free ports (test/support/ports.ts),
 * its data in a temp folder of the run, started here and stopped after, so two runs on one machine (two
 * checkouts, say) never meet. Only when KAFKA_PORT is set does the run use the broker on it, a developer's
 * `npm run kafka:start` left running for quick reruns, or start one on those ports.
 *
 * Every test file, and every process it starts (npm start, serverless invoke local, the operator
 * scripts), gets the run's address and temp folder through `provide` (test/support/run-environment.ts):
 * what they write in the temp folder goes with it at the end.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const runDir = mkdtempSync(join(tmpdir(), 'msk-lambda-stocks-test-'))
  let broker: TestBroker | undefined
  let ownBroker = true
  try {
    broker = runningBroker(process.env, tmpdir())
    if (broker !== undefined) {
      ownBroker = false
      console.log(
        `integration tests: the broker running on 127.0.0.1:${broker.environment.KAFKA_PORT} (KAFKA_PORT)`,
      )
    } else if (process.env.KAFKA_PORT !== undefined) {
      broker = brokerOnGivenPorts(process.env, join(runDir, 'kafka'))
      broker.start()
    } else {
      broker = await startTestBroker(join(runDir, 'kafka'))
    }
  } catch (error) {
    rmSync(runDir, { recursive: true, force: true })
    throw error
  }
  if (ownBroker) {
    console.log(
      `integration tests: a broker of this run on ${broker.address} (MSK IAM on ${broker.iamAddress})`,
    )
  }
  const environment: RunEnvironment = {
    ...broker.environment,
    // The one address rule (scripts/local/local-brokers.cjs) gives these from the ports; set here too, so
    // that a LOCAL_KAFKA_* in the developer's shell cannot send a test elsewhere.
    LOCAL_KAFKA_BOOTSTRAP_SERVERS: broker.address,
    LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS: broker.iamAddress,
    TMPDIR: runDir,
  }
  project.provide('runEnvironment', environment)
  const started = broker
  return () => {
    if (ownBroker) started.stop()
    const left = readdirSync(runDir).filter((name) => !CACHES.test(name) && name !== 'kafka')
    if (left.length > 0)
      console.warn(`integration tests left in their temp folder (now removed): ${left.join(', ')}`)
    rmSync(runDir, { recursive: true, force: true })
  }
}

/** What tools keep in the temp folder across runs by design (tsx's and Node's compile caches). */
const CACHES = /^(tsx-\d+|node-compile-cache)$/
