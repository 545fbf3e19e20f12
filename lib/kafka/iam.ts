import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js'
import type { OauthbearerProviderResponse } from 'kafkajs'

/**
 * The SASL/OAUTHBEARER token provider for MSK IAM access control: a fresh SigV4-signed token from the
 * default credential chain (the Lambda role's credentials) on every call, which kafkajs makes on every
 * (re-)authentication. The token is a bearer secret: it is never logged.
 */
export function createIamTokenProvider(region: string): () => Promise<OauthbearerProviderResponse> {
  return async () => {
    const { token } = await generateAuthToken({ region })
    return { value: token }
  }
}
