import { fromEnv } from '@aws-sdk/credential-provider-env'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types'
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js'
import { ConfigError, StocksError } from '../errors.js'

/** MSK caps a token's life at 15 minutes, the life aws-msk-iam-sasl-signer-js gives one. */
const MAX_TOKEN_SECONDS = 900
/** Signing attempts before giving up on a whole-second X-Amz-Expires (see signWholeSeconds). */
const SIGNING_ATTEMPTS = 5

/**
 * The credentials Lambda gives every function, from its role, in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 * and AWS_SESSION_TOKEN. The SDK's default chain would find the same ones first, but brings profiles,
 * SSO and STS clients into play for nothing. Checked when the function starts, so a missing one fails its
 * init with this message rather than every connection attempt.
 */
function lambdaCredentials(): AwsCredentialIdentityProvider {
  const missing = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].filter((name) => !process.env[name])
  if (missing.length > 0) {
    throw new ConfigError(
      `MSK IAM auth signs with the credentials Lambda sets from the function role (AWS_ACCESS_KEY_ID, ` +
        `AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); ${missing.join(' and ')} not set. Locally, export ` +
        'them, e.g. eval "$(aws configure export-credentials --format env)"',
    )
  }
  return fromEnv()
}

/**
 * A token must not outlive the credentials that signed it, and X-Amz-Expires is whole seconds as SigV4
 * presigning (and so MSK) reads it: the credentials' remaining life rounded down, at least 1 s, at most
 * 15 minutes. `undefined` when the credentials outlive a full token (always so in Lambda, whose
 * environment credentials carry no expiry).
 */
function tokenSeconds(expiration: Date | undefined, now: number): number | undefined {
  if (expiration === undefined) return undefined
  const seconds = Math.floor((expiration.getTime() - now) / 1000)
  return seconds >= MAX_TOKEN_SECONDS ? undefined : Math.max(1, seconds)
}

const expiresParameter = (token: string) =>
  new URL(Buffer.from(token, 'base64url').toString('utf8')).searchParams.get('X-Amz-Expires')

/**
 * aws-msk-iam-sasl-signer-js gives a token the credentials' remaining life as (expiration - Date.now()) /
 * 1000, a fraction of a second whenever they expire within 15 minutes ("X-Amz-Expires=120.499", which
 * SigV4 does not accept; aws/aws-msk-iam-sasl-signer-js#33, open), and a negative one once they have
 * expired. So the signer is handed the same credentials with an expiration a whole number of seconds
 * after the moment it asks for them. It reads the clock again a few microtasks later; on the rare call
 * where that read falls in the next millisecond the token says so, and is signed again.
 */
async function signWholeSeconds(region: string, identity: AwsCredentialIdentity): Promise<string> {
  for (let attempt = 1; attempt <= SIGNING_ATTEMPTS; attempt++) {
    let seconds: number | undefined
    const { token } = await generateAuthTokenFromCredentialsProvider({
      region,
      awsCredentialsProvider: async () => {
        const now = Date.now()
        seconds = tokenSeconds(identity.expiration, now)
        const { expiration: _, ...lasting } = identity
        return seconds === undefined ? lasting : { ...identity, expiration: new Date(now + seconds * 1000) }
      },
    })
    if (expiresParameter(token) === String(seconds ?? MAX_TOKEN_SECONDS)) return token
  }
  throw new StocksError(
    `aws-msk-iam-sasl-signer-js did not sign an MSK IAM token of whole seconds in ${SIGNING_ATTEMPTS} attempts`,
  )
}

/**
 * Signs a fresh MSK IAM token on every call with AWS's signer, aws-msk-iam-sasl-signer-js: a
 * SigV4-presigned `kafka-cluster:Connect` request to `kafka.<region>.amazonaws.com`, base64url-encoded.
 * Credentials are the function's own unless given. The token is a bearer secret: never logged.
 */
export function createIamTokenProvider(
  region: string,
  credentials: AwsCredentialIdentityProvider = lambdaCredentials(),
): () => Promise<string> {
  // Resolved once per token, so the signature and the expiry come from the same credentials.
  return async () => signWholeSeconds(region, await credentials())
}
