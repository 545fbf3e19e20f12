import { describe, expect, it } from 'vitest'
import { iam, LocalBrokersError, localBrokers, plaintext } from '../../scripts/local/local-brokers.cjs'

describe('the local broker address (scripts/local/local-brokers.cjs)', () => {
  it('is 127.0.0.1 on kafka.sh default ports when nothing is set', () => {
    expect(localBrokers({})).toEqual({
      plaintext: '127.0.0.1:9092',
      plaintextFrom: 'KAFKA_PORT',
      iam: '127.0.0.1:9098',
      iamFrom: 'KAFKA_IAM_PORT',
    })
  })

  it('follows KAFKA_PORT and KAFKA_IAM_PORT, the ports kafka.sh starts its broker on', () => {
    expect(localBrokers({ KAFKA_PORT: '39092', KAFKA_IAM_PORT: '39098' })).toMatchObject({
      plaintext: '127.0.0.1:39092',
      iam: '127.0.0.1:39098',
    })
  })

  it('takes LOCAL_KAFKA_BOOTSTRAP_SERVERS and LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS over the ports, and says so', () => {
    const brokers = localBrokers({
      KAFKA_PORT: '39092',
      LOCAL_KAFKA_BOOTSTRAP_SERVERS: ' b-1:9092 , b-2:9092 ',
      LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS: 'b-1:9098',
    })
    expect(brokers).toEqual({
      plaintext: 'b-1:9092,b-2:9092',
      plaintextFrom: 'LOCAL_KAFKA_BOOTSTRAP_SERVERS',
      iam: 'b-1:9098',
      iamFrom: 'LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS',
    })
  })

  it('treats an empty variable as unset', () => {
    expect(localBrokers({ KAFKA_PORT: '', LOCAL_KAFKA_BOOTSTRAP_SERVERS: ' ' }).plaintext).toBe(
      '127.0.0.1:9092',
    )
  })

  it.each([
    [{ KAFKA_PORT: 'abc' }, /KAFKA_PORT must be a port number from 1 to 65535, got "abc"/],
    [{ KAFKA_PORT: '0' }, /KAFKA_PORT must be a port number/],
    [{ KAFKA_PORT: '65536' }, /KAFKA_PORT must be a port number/],
    [{ KAFKA_IAM_PORT: '90.5' }, /KAFKA_IAM_PORT must be a port number/],
    [
      { LOCAL_KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1' },
      /LOCAL_KAFKA_BOOTSTRAP_SERVERS must be host:port entries, got "127.0.0.1"/,
    ],
    [
      { LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS: 'a:1,,b' },
      /LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS must be host:port entries, got ",b"/,
    ],
  ])('refuses %o, naming the variable', (env, message) => {
    expect(() => localBrokers(env)).toThrow(LocalBrokersError)
    expect(() => localBrokers(env)).toThrow(message)
  })

  it("gives serverless.yml the process's addresses, and a bad setting as its message alone (no stack)", () => {
    const saved = { ...process.env }
    try {
      Object.assign(process.env, { KAFKA_PORT: '39092', KAFKA_IAM_PORT: '39098' })
      delete process.env.LOCAL_KAFKA_BOOTSTRAP_SERVERS
      delete process.env.LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS
      expect(plaintext()).toBe('127.0.0.1:39092')
      expect(iam()).toBe('127.0.0.1:39098')
      process.env.KAFKA_PORT = 'nope'
      let thrown: unknown
      try {
        plaintext()
      } catch (error) {
        thrown = error
      }
      expect((thrown as Error).stack).toBe('KAFKA_PORT must be a port number from 1 to 65535, got "nope"')
    } finally {
      for (const name of [
        'KAFKA_PORT',
        'KAFKA_IAM_PORT',
        'LOCAL_KAFKA_BOOTSTRAP_SERVERS',
        'LOCAL_KAFKA_IAM_BOOTSTRAP_SERVERS',
      ]) {
        if (saved[name] === undefined) delete process.env[name]
        else process.env[name] = saved[name]
      }
    }
  })
})
