'use strict'

/**
 * The one rule for where a local run finds its broker, followed by serverless.yml (the `local` and
 * `local-iam` stages, so `serverless invoke local` too), `npm start`, the operator scripts, the benchmarks
 * and the tests:
 *
 *   PLAINTEXT  LOCAL_KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:$KAFKA_PORT (9092)
 *   MSK IAM    LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS, else 127.0.0.1:$KAFKA_IAM_PORT (9098)
 *
 * KAFKA_PORT and KAFKA_IAM_PORT are the ports scripts/kafka/kafka.sh starts its broker on (same defaults),
 * so a run that starts the broker connects to that broker and no other. CommonJS, because serverless.yml
 * reads it with `${file(...)}`.
 */

const DEFAULT_PORTS = { KAFKA_PORT: '9092', KAFKA_IAM_PORT: '9098' }
const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/

class LocalBrokersError extends Error {
  constructor(message) {
    super(message)
    this.name = 'LocalBrokersError'
  }
}

function port(env, name) {
  const text = (env[name] ?? '').trim() || DEFAULT_PORTS[name]
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < 1 || value > 65535) {
    throw new LocalBrokersError(`${name} must be a port number from 1 to 65535, got "${env[name]}"`)
  }
  return value
}

function explicit(env, name) {
  const text = (env[name] ?? '').trim()
  if (text === '') return undefined
  const brokers = text.split(',').map((broker) => broker.trim())
  const bad = brokers.filter((broker) => !BROKER.test(broker))
  if (bad.length > 0) throw new LocalBrokersError(`${name} must be host:port entries, got "${bad.join(',')}"`)
  return brokers.join(',')
}

/**
 * Both addresses, each with where it came from: `port` (the broker kafka.sh runs on that port) or the
 * variable that overrides it.
 * @param {Record<string, string | undefined>} [env]
 */
function localBrokers(env = process.env) {
  const plaintext = explicit(env, 'LOCAL_KAFKA_BOOTSTRAP_SERVERS')
  const iam = explicit(env, 'LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS')
  return {
    plaintext: plaintext ?? `127.0.0.1:${port(env, 'KAFKA_PORT')}`,
    plaintextFrom: plaintext === undefined ? 'KAFKA_PORT' : 'LOCAL_KAFKA_BOOTSTRAP_SERVERS',
    iam: iam ?? `127.0.0.1:${port(env, 'KAFKA_IAM_PORT')}`,
    iamFrom: iam === undefined ? 'KAFKA_IAM_PORT' : 'LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS',
  }
}

/**
 * For serverless.yml's `${file(...):plaintext}`: a bad setting stops the command with its one-line
 * message (the Framework prints a thrown error's stack, which here is only noise).
 */
function forServerless(pick) {
  return () => {
    try {
      return pick(localBrokers())
    } catch (error) {
      error.stack = error.message
      throw error
    }
  }
}

exports.localBrokers = localBrokers
exports.LocalBrokersError = LocalBrokersError
exports.plaintext = forServerless((brokers) => brokers.plaintext)
exports.iam = forServerless((brokers) => brokers.iam)
