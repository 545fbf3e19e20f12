import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConfigError } from '../../lib/errors.js'
import { createIamTokenProvider } from '../../lib/kafka/iam-token.js'

const decode = (token: string) => new URL(Buffer.from(token, 'base64url').toString('utf8'))

/** The signed URL without its User-Agent, which names the library that built it. */
function signedPart(token: string): string {
  const url = decode(token)
  url.searchParams.delete('User-Agent')
  return url.toString()
}

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
}

describe('MSK IAM token', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-24T10:11:12.345Z'))
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllEnvs()
  })

  // aws-msk-iam-sasl-signer-js is AWS's reference for the token; it is kept as a test dependency only.
  it.each([
    ['long-term credentials', credentials],
    [
      'temporary credentials expiring in 10 minutes',
      {
        ...credentials,
        sessionToken: 'FwoGZXIvYXdzEXAMPLE//session+token=',
        expiration: new Date('2026-11-24T10:21:12.345Z'),
      },
    ],
  ])('signs the same URL as aws-msk-iam-sasl-signer-js, with %s', async (_, identity) => {
    const provider = async () => identity
    const ours = await createIamTokenProvider('eu-west-1', provider)()
    const reference = await generateAuthTokenFromCredentialsProvider({
      region: 'eu-west-1',
      awsCredentialsProvider: provider,
    })
    expect(signedPart(ours)).toBe(signedPart(reference.token))
    const url = decode(ours)
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com')
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect')
    expect(url.searchParams.get('X-Amz-Expires')).toBe('sessionToken' in identity ? '600' : '900')
    expect(url.searchParams.get('User-Agent')).toBe('msk-lambda-stocks')
  })

  it('writes X-Amz-Expires in whole seconds, rounded down, when the credentials expire mid-second', async () => {
    const expiring = async () => ({ ...credentials, expiration: new Date('2026-11-24T10:13:12.999Z') })
    const url = decode(await createIamTokenProvider('eu-west-1', expiring)())
    expect(url.searchParams.get('X-Amz-Expires')).toBe('120')
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
