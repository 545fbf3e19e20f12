import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { BrokerDiscoveryError } from '../../lib/errors.js'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'

const clusterArn =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/stocks/0b5d7a2e-1c3f-4e6a-9d8b-2f4e6a8c0d1e-2'
const msk = mockClient(KafkaClient)
const client = () => new KafkaClient({ region: 'eu-west-1' })
const iam = { bootstrapServers: [], clusterArn, auth: 'iam' as const, region: 'eu-west-1' }

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name })
}

beforeEach(() => msk.reset())

describe('createBrokerResolver', () => {
  it('uses an explicit list without calling the MSK API', async () => {
    const resolve = createBrokerResolver({ ...iam, bootstrapServers: ['b-1:9098'] }, client)
    await expect(resolve()).resolves.toEqual(['b-1:9098'])
    expect(msk.calls()).toHaveLength(0)
  })

  it('looks up the SASL/IAM brokers of the cluster once per container', async () => {
    msk.on(GetBootstrapBrokersCommand, { ClusterArn: clusterArn }).resolves({
      BootstrapBrokerString: 'b-1:9092,b-2:9092',
      BootstrapBrokerStringSaslIam:
        'b-1.stocks.kafka.eu-west-1.amazonaws.com:9098,b-2.stocks.kafka.eu-west-1.amazonaws.com:9098',
    })
    const resolve = createBrokerResolver(iam, client)
    const expected = [
      'b-1.stocks.kafka.eu-west-1.amazonaws.com:9098',
      'b-2.stocks.kafka.eu-west-1.amazonaws.com:9098',
    ]
    await expect(resolve()).resolves.toEqual(expected)
    await expect(resolve()).resolves.toEqual(expected)
    expect(msk.commandCalls(GetBootstrapBrokersCommand)).toHaveLength(1)
  })

  it('picks the plaintext brokers when auth is none', async () => {
    msk
      .on(GetBootstrapBrokersCommand)
      .resolves({ BootstrapBrokerString: 'b-1:9092', BootstrapBrokerStringSaslIam: 'b-1:9098' })
    await expect(createBrokerResolver({ ...iam, auth: 'none' }, client)()).resolves.toEqual(['b-1:9092'])
  })

  it('says when the cluster has no brokers for the auth mode', async () => {
    msk.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerString: 'b-1:9092' })
    await expect(createBrokerResolver(iam, client)()).rejects.toThrow(/no brokers for auth "iam"/)
  })

  it.each([
    ['NotFoundException', /cluster .* was not found/],
    ['ForbiddenException', /may not call kafka:GetBootstrapBrokers/],
    ['AccessDeniedException', /may not call kafka:GetBootstrapBrokers/],
    ['ServiceUnavailableException', /GetBootstrapBrokers failed .*: try later/],
  ])('reports %s clearly', async (name, message) => {
    msk.on(GetBootstrapBrokersCommand).rejects(awsError(name, 'try later'))
    const failure = createBrokerResolver(iam, client)()
    await expect(failure).rejects.toThrow(BrokerDiscoveryError)
    await expect(failure).rejects.toThrow(message)
  })

  it('does not cache a failed lookup', async () => {
    msk
      .on(GetBootstrapBrokersCommand)
      .rejectsOnce(awsError('ServiceUnavailableException', 'busy'))
      .resolves({ BootstrapBrokerStringSaslIam: 'b-1:9098' })
    const resolve = createBrokerResolver(iam, client)
    await expect(resolve()).rejects.toThrow(BrokerDiscoveryError)
    await expect(resolve()).resolves.toEqual(['b-1:9098'])
  })
})
