import { createRequire } from 'node:module'
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConfigError, StocksError } from '../../lib/errors.js'
import { createIamTokenProvider } from '../../lib/kafka/iam-token.js'

const SIGNER_VERSION = (
  createRequire(import.meta.url)('aws-msk-iam-sasl-signer-js/package.json') as { version: string }
).version

const decode = (token: string) => new URL(Buffer.from(token, 'base64url').toString('utf8'))
const expiresOf = (token: string) => decode(token).searchParams.get('X-Amz-Expires')

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
}
const NOW = new Date('2026-11-24T10:11:12.345Z')
const inSeconds = (seconds: number) => new Date(NOW.getTime() + seconds * 1000)

describe('MSK IAM token', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
    vi.unstubAllEnvs()
  })

  it("is aws-msk-iam-sasl-signer-js's token: a presigned kafka-cluster:Connect URL for the region", async () => {
    const provider = async () => credentials
    const token = await createIamTokenProvider('eu-west-1', provider)()
    const reference = await generateAuthTokenFromCredentialsProvider({
      region: 'eu-west-1',
      awsCredentialsProvider: provider,
    })
    expect(token).toBe(reference.token)
    const url = decode(token)
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('https://kafka.eu-west-1.amazonaws.com/')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'kafka-cluster:Connect',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20261124/eu-west-1/kafka-cluster/aws4_request',
      'X-Amz-Date': '20261124T101112Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
      'User-Agent': `aws-msk-iam-sasl-signer-js/${SIGNER_VERSION}`,
    })
  })

  it('signs temporary credentials with their session token, for no longer than they last', async () => {
    const session = { ...credentials, sessionToken: 'FwoGZXIvYXdzEXAMPLE//session+token=' }
    const url = decode(
      await createIamTokenProvider('eu-west-1', async () => ({ ...session, expiration: inSeconds(600) }))(),
    )
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(session.sessionToken)
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600')
    // Credentials that outlive a full token give a full token.
    const lasting = async () => ({ ...session, expiration: inSeconds(3_600) })
    expect(expiresOf(await createIamTokenProvider('eu-west-1', lasting)())).toBe('900')
  })

  it('writes X-Amz-Expires in whole seconds, rounded down, when the credentials expire mid-second', async () => {
    const expiring = async () => ({ ...credentials, expiration: inSeconds(120.654) })
    expect(expiresOf(await createIamTokenProvider('eu-west-1', expiring)())).toBe('120')
    // Why the provider does not hand the signer the credentials as they are: it would write the fraction
    // (aws/aws-msk-iam-sasl-signer-js#33). When a release rounds it, this fails and the workaround can go.
    const direct = await generateAuthTokenFromCredentialsProvider({
      region: 'eu-west-1',
      awsCredentialsProvider: expiring,
    })
    expect(expiresOf(direct.token)).toBe('120.654')
  })

  it('gives credentials that have expired, or expire within a second, a 1 s token rather than a negative one', async () => {
    for (const seconds of [-30, 0, 0.5]) {
      const expired = async () => ({ ...credentials, expiration: inSeconds(seconds) })
      expect(expiresOf(await createIamTokenProvider('eu-west-1', expired)())).toBe('1')
    }
  })

  it("signs again when the signer's clock read falls in the next millisecond, a fraction in its token", async () => {
    vi.useRealTimers()
    const start = Date.now()
    // Each attempt reads the clock twice: once where the provider sets the expiration, once in the signer.
    // The first attempt's reads straddle a millisecond; the second's agree.
    vi.spyOn(Date, 'now')
      .mockReturnValueOnce(start)
      .mockReturnValueOnce(start + 1)
      .mockReturnValue(start + 1)
    const expiring = async () => ({ ...credentials, expiration: new Date(start + 120_500) })
    expect(expiresOf(await createIamTokenProvider('eu-west-1', expiring)())).toBe('120')
    expect(vi.mocked(Date.now).mock.calls.length).toBeGreaterThan(2)
  })

  it('fails with a clear error rather than sign a token with a fraction, if the clock never agrees', async () => {
    vi.useRealTimers()
    let now = Date.now()
    vi.spyOn(Date, 'now').mockImplementation(() => now++)
    const expiring = async () => ({ ...credentials, expiration: new Date(now + 120_500) })
    const token = createIamTokenProvider('eu-west-1', expiring)()
    await expect(token).rejects.toThrow(StocksError)
    await expect(token).rejects.toThrow(/did not sign an MSK IAM token of whole seconds in 5 attempts/)
  })

  it('signs a fresh token on every call', async () => {
    const token = createIamTokenProvider('eu-west-1', async () => credentials)
    const first = await token()
    vi.setSystemTime(new Date('2026-11-24T10:11:13.345Z'))
    expect(await token()).not.toBe(first)
  })

  it("uses the function role's credentials from the environment, as Lambda sets them", async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret')
    vi.stubEnv('AWS_SESSION_TOKEN', 'session')
    const url = decode(await createIamTokenProvider('eu-west-1')())
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDFROMENV\/20261124\/eu-west-1\/kafka-cluster\//,
    )
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session')
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900')
  })

  it('honours AWS_CREDENTIAL_EXPIRATION, which `aws configure export-credentials --format env` sets', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret')
    vi.stubEnv('AWS_SESSION_TOKEN', 'session')
    vi.stubEnv('AWS_CREDENTIAL_EXPIRATION', '2026-11-24T10:16:12Z')
    expect(expiresOf(await createIamTokenProvider('eu-west-1')())).toBe('299')
  })

  it('fails at once, naming the variables, when the environment has no credentials', () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '')
    expect(() => createIamTokenProvider('eu-west-1')).toThrow(ConfigError)
    expect(() => createIamTokenProvider('eu-west-1')).toThrow(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set/,
    )
  })
})
