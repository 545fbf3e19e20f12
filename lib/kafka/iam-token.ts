import { fromEnv } from '@aws-sdk/credential-provider-env'
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types'
import { formatUrl } from '@aws-sdk/util-format-url'
import { Hash } from '@smithy/hash-node'
import { SignatureV4 } from '@smithy/signature-v4'
import { ConfigError } from '../errors.js'

/** MSK caps a token's life at 15 minutes, as aws-msk-iam-sasl-signer-js does. */
const MAX_TOKEN_SECONDS = 900
const USER_AGENT = 'msk-lambda-stocks'

/**
 * The credentials Lambda gives every function, from its role, in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 * and AWS_SESSION_TOKEN. The SDK's default chain would find the same ones first, but brings profiles,
 * SSO and STS clients into the bundle for nothing. Checked when the function starts, so a missing one
 * fails its init with this message rather than every connection attempt.
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
 * Signs a fresh MSK IAM token on every call: a SigV4-presigned `kafka-cluster:Connect` request to
 * `kafka.<region>.amazonaws.com`, base64url-encoded, exactly as aws-msk-iam-sasl-signer-js builds it (a
 * test compares the two) but without that package's STS client and credential chain, about 120 KB of
 * each bundle. Credentials are the function's own unless given. The token is a bearer secret: never logged.
 */
export function createIamTokenProvider(
  region: string,
  credentials: AwsCredentialIdentityProvider = lambdaCredentials(),
): () => Promise<string> {
  const hostname = `kafka.${region}.amazonaws.com`
  return async () => {
    // Resolved once per token, so the signature and the expiry come from the same credentials.
    const identity = await credentials()
    const signer = new SignatureV4({
      service: 'kafka-cluster',
      region,
      credentials: identity,
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: false,
    })
    // A token must not outlive the credentials that signed it. X-Amz-Expires is whole seconds, as the
    // official signers write it (aws-msk-iam-sasl-signer-js, aws-msk-iam-auth): rounded down, at least 1.
    const expiresIn =
      identity.expiration === undefined
        ? MAX_TOKEN_SECONDS
        : Math.max(
            1,
            Math.min(Math.floor((identity.expiration.getTime() - Date.now()) / 1000), MAX_TOKEN_SECONDS),
          )
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname,
        path: '/',
        headers: { host: hostname },
        query: { Action: 'kafka-cluster:Connect' },
      },
      { expiresIn },
    )
    const url = formatUrl({ ...signed, query: { ...signed.query, 'User-Agent': USER_AGENT } })
    return Buffer.from(url, 'utf8').toString('base64url')
  }
}
