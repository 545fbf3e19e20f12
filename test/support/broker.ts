import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { localBrokers } from '../../scripts/local/local-brokers.cjs'
import { freePorts } from './ports.js'

const KAFKA_SCRIPT = join(new URL('../..', import.meta.url).pathname, 'scripts/kafka/kafka.sh')

/** What scripts/kafka/kafka.sh needs to find one broker: its ports and its data folder. */
export interface BrokerEnvironment {
  readonly KAFKA_PORT: string
  readonly KAFKA_CONTROLLER_PORT: string
  readonly KAFKA_IAM_PORT: string
  readonly KAFKA_DATA_DIR: string
}

export interface TestBroker {
  readonly environment: BrokerEnvironment
  /** PLAINTEXT `127.0.0.1:port`. */
  readonly address: string
  /** The MSK IAM (SASL_SSL) listener. */
  readonly iamAddress: string
  /** Starts it again on the same ports (after `stop({ keepData: true })`, with its topics). */
  start(): void
  /** Stops it; without keepData its data folder is deleted too. */
  stop(options?: { keepData?: boolean }): void
  /** Kills its process at once (kill -9), as a machine that goes away would: its data stays. */
  kill(): void
}

function kafka(command: 'start' | 'stop' | 'status', environment: BrokerEnvironment, keepData = false) {
  return spawnSync(KAFKA_SCRIPT, [command], {
    env: { ...process.env, ...environment, KAFKA_KEEP_DATA: keepData ? '1' : '0' },
    encoding: 'utf8',
  })
}

function testBroker(environment: BrokerEnvironment): TestBroker {
  const addresses = localBrokers({
    KAFKA_PORT: environment.KAFKA_PORT,
    KAFKA_IAM_PORT: environment.KAFKA_IAM_PORT,
  })
  return {
    environment,
    address: addresses.plaintext,
    iamAddress: addresses.iam,
    start() {
      const started = kafka('start', environment)
      if (started.status !== 0) throw new Error(`the test broker did not start:\n${started.stderr}`)
    },
    stop({ keepData = false } = {}) {
      kafka('stop', environment, keepData)
    },
    kill() {
      const pid = Number(readFileSync(join(environment.KAFKA_DATA_DIR, 'run', 'broker.pid'), 'utf8'))
      process.kill(pid, 'SIGKILL')
    },
  }
}

/**
 * A broker of the caller's own: free ports (test/support/ports.ts) and its data in `dataDir`. When the
 * ports were taken in between (by another run on the machine), it tries again with others.
 */
export async function startTestBroker(dataDir: string): Promise<TestBroker> {
  let failure = ''
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [plaintext, controller, iam] = (await freePorts(3)).map(String) as [string, string, string]
    const environment = {
      KAFKA_PORT: plaintext,
      KAFKA_CONTROLLER_PORT: controller,
      KAFKA_IAM_PORT: iam,
      KAFKA_DATA_DIR: dataDir,
    }
    const started = kafka('start', environment)
    if (started.status === 0) return testBroker(environment)
    failure = started.stderr
    kafka('stop', environment)
  }
  throw new Error(`could not start a test broker in 3 attempts; the last said:\n${failure}`)
}

/** The broker on the ports the environment names (KAFKA_PORT...), with kafka.sh's defaults for the others. */
export function brokerOnGivenPorts(env: NodeJS.ProcessEnv, dataDir: string): TestBroker {
  return testBroker({
    KAFKA_PORT: env.KAFKA_PORT ?? '9092',
    KAFKA_CONTROLLER_PORT: env.KAFKA_CONTROLLER_PORT ?? '9093',
    KAFKA_IAM_PORT: env.KAFKA_IAM_PORT ?? '9098',
    KAFKA_DATA_DIR: dataDir,
  })
}

/**
 * The broker the developer started on KAFKA_PORT (`npm run kafka:start`), when it runs: a test run told
 * KAFKA_PORT uses it, and leaves it running. Its data folder is kafka.sh's default for that port.
 */
export function runningBroker(env: NodeJS.ProcessEnv, defaultTmp: string): TestBroker | undefined {
  if (env.KAFKA_PORT === undefined) return undefined
  const broker = brokerOnGivenPorts(
    env,
    env.KAFKA_DATA_DIR ?? join(defaultTmp, `msk-lambda-stocks-kafka-${env.KAFKA_PORT}`),
  )
  return kafka('status', broker.environment).status === 0 ? broker : undefined
}
