import kafkajs, { type Mechanism } from 'kafkajs'

const SOH = '\u0001'

/**
 * A broker refused the token. Non-retriable for kafkajs, so a bad role or region fails the connect at
 * once instead of being retried. (kafkajs is CommonJS: its error classes are reached through the default
 * export.)
 */
export class MskIamAuthenticationError extends kafkajs.KafkaJSNonRetriableError {
  override readonly name = 'MskIamAuthenticationError'
}

/** A SASL message as kafkajs puts it in a SaslAuthenticate request: Kafka BYTES, length first. */
function saslBytes(text: string): { encode: () => Buffer } {
  const payload = Buffer.from(text)
  const length = Buffer.alloc(4)
  length.writeInt32BE(payload.length)
  return { encode: () => Buffer.concat([length, payload]) }
}

/** The `status` of an RFC 7628 error challenge, without echoing anything else the broker sent. */
function statusOf(challenge: Buffer): string {
  try {
    const { status } = JSON.parse(challenge.toString('utf8')) as { status?: unknown }
    return typeof status === 'string' ? status : 'unknown'
  } catch {
    return 'unknown'
  }
}

/**
 * SASL/OAUTHBEARER for MSK IAM access control, as kafkajs sends it, plus the part of RFC 7628 that
 * kafkajs's built-in mechanism skips: a broker refuses a token by answering with an error challenge
 * (`{"status":"invalid_token"}`), which the client must acknowledge with a single %x01. kafkajs reads that
 * challenge as success and then sees the connection closed, a retriable error it retries. Here a refused
 * token is a clear, non-retriable authentication error, so a bad role or region fails fast, without a
 * retry storm. kafkajs calls `authenticate` on every (re-)authentication, so every session gets a fresh
 * token and a long-lived warm container never presents an expired one.
 */
export function mskIamMechanism(region: string, token: () => Promise<string>): Mechanism {
  return {
    mechanism: 'OAUTHBEARER',
    authenticationProvider: ({ host, port, saslAuthenticate }) => ({
      authenticate: async () => {
        const initialResponse = `n,,${SOH}auth=Bearer ${await token()}${SOH}${SOH}`
        const challenge = await saslAuthenticate<Buffer>({
          request: saslBytes(initialResponse),
          // kafkajs hands the response bytes back length-prefixed, as it received them.
          response: { decode: (raw) => raw.subarray(4), parse: (bytes) => bytes },
        })
        if (challenge === undefined || challenge.length === 0) return
        // Finish the exchange as RFC 7628 requires; the broker then fails it and closes the connection.
        await saslAuthenticate({ request: saslBytes(SOH) }).catch(() => undefined)
        throw new MskIamAuthenticationError(
          `Broker ${host}:${port} refused the MSK IAM token (${statusOf(challenge)}): check the function's ` +
            `role may kafka-cluster:Connect to the cluster, the signing region (${region}) and the clock`,
        )
      },
    }),
  }
}
