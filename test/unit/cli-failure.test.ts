import { describe, expect, it } from 'vitest'
import { ConfigError, KafkaUnavailableError } from '../../lib/errors.js'
import {
  brokerAdvice,
  cannotReach,
  exitCodeOf,
  failureLine,
  stageBrokerAdvice,
} from '../../scripts/cli/failure.js'
import { UsageError } from '../../scripts/cli/flags.js'

/** kafkajs's shapes: a retry error that repeats its cause's message, around a connection error. */
function kafkajsRefused(address: string): Error {
  const refused = new Error(`Connection error: connect ECONNREFUSED ${address}`)
  refused.name = 'KafkaJSConnectionError'
  const retries = new Error(`Connection error: connect ECONNREFUSED ${address}`, { cause: refused })
  retries.name = 'KafkaJSNumberOfRetriesExceeded'
  return retries
}

describe('a failed command, in one line', () => {
  it('is the error and its causes, each message once, then what to do', () => {
    const error = new ConfigError('serverless.yml, stage local: bad', {
      cause: new Error('the cause\n    at somewhere (file.js:1:1)'),
    })
    expect(failureLine('npm start', error, 'Fix it')).toBe(
      'npm start: serverless.yml, stage local: bad: the cause. Fix it',
    )
    expect(failureLine('npm run status', kafkajsRefused('127.0.0.1:9092'))).toBe(
      'npm run status: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    )
    expect(failureLine('x', 'a string')).toBe('x: a string')
    expect(failureLine('x', new Error(''))).toBe('x: failed')
  })

  it('exits 2 for a wrong command line, 1 otherwise', () => {
    expect(exitCodeOf(new UsageError('--every'))).toBe(2)
    expect(exitCodeOf(new ConfigError('KAFKA_AUTH'))).toBe(1)
    expect(exitCodeOf('thrown string')).toBe(1)
  })

  it('tells a broker that did not answer from one that answered with an error', () => {
    expect(cannotReach(kafkajsRefused('127.0.0.1:9092'))).toBe(true)
    expect(cannotReach(new KafkaUnavailableError('Cannot connect to Kafka: Connection timeout'))).toBe(true)
    expect(cannotReach(new Error('getaddrinfo ENOTFOUND b-1.example'))).toBe(true)
    expect(cannotReach(new Error('This server does not host this topic-partition'))).toBe(false)
    expect(cannotReach(new ConfigError('KAFKA_AUTH must be one of iam, none'))).toBe(false)
  })
})

describe('what to do when no broker answers', () => {
  it('the local broker: the ports to start it on', () => {
    expect(brokerAdvice('127.0.0.1:39092', 'KAFKA_PORT', { KAFKA_PORT: '39092' })).toBe(
      'No broker answers at 127.0.0.1:39092 (KAFKA_PORT): start the local one with `KAFKA_PORT=39092 npm run kafka:start`, or set KAFKA_PORT to the port of yours',
    )
    expect(brokerAdvice('127.0.0.1:9092', 'KAFKA_PORT', {})).toContain('with `npm run kafka:start`')
  })

  it('another broker named by a variable: that variable', () => {
    expect(brokerAdvice('h:1', 'LOCAL_KAFKA_BOOTSTRAP_SERVERS', {})).toBe(
      'No broker answers at h:1, which LOCAL_KAFKA_BOOTSTRAP_SERVERS names: start that broker, or unset LOCAL_KAFKA_BOOTSTRAP_SERVERS to use the local one on KAFKA_PORT',
    )
  })

  it("a stage: the local broker's advice for the address it uses, the network for a deployed one", () => {
    const env = { KAFKA_PORT: '39092', KAFKA_IAM_PORT: '39098' }
    expect(stageBrokerAdvice('local', ['127.0.0.1:39092'], env)).toContain('(KAFKA_PORT)')
    expect(stageBrokerAdvice('local', ['127.0.0.1:39098'], env)).toContain('(KAFKA_IAM_PORT)')
    expect(stageBrokerAdvice('local', ['h:1'], { ...env, LOCAL_KAFKA_BOOTSTRAP_SERVERS: 'h:1' })).toContain(
      'which LOCAL_KAFKA_BOOTSTRAP_SERVERS names',
    )
    expect(stageBrokerAdvice('local', ['b-1:9092'], env)).toContain('(--param bootstrapServers)')
    expect(stageBrokerAdvice('existing', [], env)).toBe(
      "No broker answers: run this from a machine that reaches the cluster's brokers (its VPC), with AWS credentials allowed to connect",
    )
  })
})
