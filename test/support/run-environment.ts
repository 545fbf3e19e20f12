import { inject } from 'vitest'

/**
 * What a test run hands its test files (test/support/global-setup.ts): its broker's ports and addresses,
 * and its temp folder. A setup file of the integration project (vitest.config.ts), so each test file
 * starts with them in process.env, where test/support, the code under test and every child process it
 * starts (npm start, serverless, the operator scripts, kafka.sh) read them.
 */
export interface RunEnvironment {
  readonly KAFKA_PORT: string
  readonly KAFKA_CONTROLLER_PORT: string
  readonly KAFKA_IAM_PORT: string
  readonly KAFKA_DATA_DIR: string
  readonly LOCAL_KAFKA_BOOTSTRAP_SERVERS: string
  readonly LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS: string
  readonly TMPDIR: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    runEnvironment: RunEnvironment
  }
}

Object.assign(process.env, inject('runEnvironment'))
