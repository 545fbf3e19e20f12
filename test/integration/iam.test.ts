import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { asError, KafkaUnavailableError } from '../../lib/errors.js'
import { createIamTokenProvider } from '../../lib/kafka/iam-token.js'
import { KafkajsSink } from '../../lib/kafka/kafkajs-sink.js'
import {
  connectedAdmin,
  createTestTopics,
  iamKafkaConfig,
  KAFKA_SCRIPT,
  LOCAL_IAM_REGION,
  readTopic,
  TEST_IDENTITY,
  TEST_SESSION_IDENTITY,
  testKafka,
} from '../support/kafka.js'

const kafka = testKafka()
const admin = connectedAdmin(kafka)
let topic: string

beforeAll(async () => {
  ;[topic] = (await createTestTopics(admin(), ['iam'])) as [string]
})
afterEach(() => {
  vi.restoreAllMocks()
})

/** Counts the tokens a provider signs, and keeps them to check none leaks into a log line. */
function counting(provider: () => Promise<string>) {
  const tokens: string[] = []
  const counted = async () => {
    const token = await provider()
    tokens.push(token)
    return token
  }
  return { provider: counted, tokens }
}

const signed = (credentials: Parameters<typeof createIamTokenProvider>[1], region = LOCAL_IAM_REGION) =>
  createIamTokenProvider(region, credentials)

function brokerLogSince(offset: number): string {
  const path = execFileSync(KAFKA_SCRIPT, ['log'], { encoding: 'utf8' }).trim()
  return readFileSync(path, 'utf8').slice(offset)
}
const brokerLogSize = () => brokerLogSince(0).length

/** The SigV4 URL inside a token, and back. */
const decodeToken = (token: string) => new URL(Buffer.from(token, 'base64url').toString('utf8'))
const encodeToken = (url: URL) => Buffer.from(url.toString()).toString('base64url')

async function sendOne(sink: KafkajsSink) {
  return sink.send([{ topic, messages: [{ key: '{"ticker":"AAPL"}', value: 'iam' }] }])
}

describe('MSK IAM auth against the local SASL_SSL/OAUTHBEARER listener', () => {
  it('accepts a token signed with a known identity, including temporary credentials expiring mid-second', async () => {
    const withSession = counting(
      signed(async () => ({ ...TEST_SESSION_IDENTITY, expiration: new Date(Date.now() + 120_500) })),
    )
    const sink = new KafkajsSink(iamKafkaConfig(), { iamToken: withSession.provider })
    await expect(sendOne(sink)).resolves.toEqual([expect.objectContaining({ topic, count: 1 })])
    await sink.close()
    const url = decodeToken(withSession.tokens[0] ?? '')
    // 120.5 s of credentials left: a whole 120 s token, as the official signers write it.
    expect(url.searchParams.get('X-Amz-Expires')).toMatch(/^1[12]\d$/)
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(TEST_SESSION_IDENTITY.sessionToken)
  })

  const refused: [string, () => () => Promise<string>, RegExp, string?][] = [
    [
      'a wrong secret',
      () => signed(async () => ({ ...TEST_IDENTITY, secretAccessKey: 'not-the-secret' })),
      /signature does not match for LOCALTESTPRODUCERKEY/,
    ],
    [
      'an unknown access key',
      () => signed(async () => ({ accessKeyId: 'LOCALTESTUNKNOWNKEY0', secretAccessKey: 'whatever' })),
      /unknown access key LOCALTESTUNKNOWNKEY0/,
    ],
    [
      'a wrong region',
      () => signed(async () => TEST_IDENTITY, 'eu-west-1'),
      /host is not kafka\.us-east-1\.amazonaws\.com/,
      'eu-west-1',
    ],
    [
      'a token whose signed session token was removed',
      () => async () => {
        const url = decodeToken(await signed(async () => TEST_SESSION_IDENTITY)())
        url.searchParams.delete('X-Amz-Security-Token')
        return encodeToken(url)
      },
      /missing X-Amz-Security-Token for temporary credentials LOCALTESTSESSIONKEY1/,
    ],
    [
      'a token with a fractional X-Amz-Expires (as aws-msk-iam-sasl-signer-js signs expiring credentials)',
      () => async () => {
        const { token } = await generateAuthTokenFromCredentialsProvider({
          region: LOCAL_IAM_REGION,
          awsCredentialsProvider: async () => ({
            ...TEST_IDENTITY,
            expiration: new Date(Date.now() + 120_500),
          }),
        })
        return token
      },
      /X-Amz-Expires is not a whole number of seconds: 1[12]\d\.\d+/,
    ],
    [
      'an expired token',
      () => {
        // Credentials that expire in 1.5 s give a token that lives 1 s; it is presented after that.
        const token = signed(async () => ({ ...TEST_IDENTITY, expiration: new Date(Date.now() + 1_500) }))()
        return async () => {
          const stale = await token
          await sleep(1_500)
          return stale
        }
      },
      /the token expired at/,
    ],
  ]

  it.each(refused)(
    'refuses %s with a clear authentication error, at once, without retrying',
    async (_name, make, reason, region) => {
      const logFrom = brokerLogSize()
      const token = counting(make())
      const sink = new KafkajsSink(iamKafkaConfig(region === undefined ? {} : { region }), {
        iamToken: token.provider,
      })

      const failure = sendOne(sink)
      await expect(failure).rejects.toThrow(KafkaUnavailableError)
      await expect(failure).rejects.toThrow(/refused the MSK IAM token \(invalid_token\)/)
      expect(token.tokens).toHaveLength(1)
      expect(brokerLogSince(logFrom)).toMatch(reason)
      await sink.close()
    },
  )

  it('never writes a credential, token or signed URL to the logs', async () => {
    // Everything written to stdout and stderr, and through console, where the Powertools logger writes
    // when the tests hold its lines back (vitest.config.ts).
    const lines: string[] = []
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream)
      vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: never[]) => {
        lines.push(String(chunk))
        return write(chunk as string, ...rest)
      }) as typeof stream.write)
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '))
      })
    }
    const good = counting(signed(async () => TEST_SESSION_IDENTITY))
    const bad = counting(
      signed(async () => ({ ...TEST_SESSION_IDENTITY, secretAccessKey: 'not-the-secret' })),
    )
    const goodSink = new KafkajsSink(iamKafkaConfig(), { iamToken: good.provider })
    const badSink = new KafkajsSink(iamKafkaConfig(), { iamToken: bad.provider })
    await sendOne(goodSink)
    const error = await sendOne(badSink).catch(asError)
    await goodSink.close()
    await badSink.close()
    vi.restoreAllMocks()

    const written = [...lines, String(error), JSON.stringify(error)].join('\n')
    expect(lines.length).toBeGreaterThan(0)
    for (const secret of [
      TEST_SESSION_IDENTITY.secretAccessKey,
      'not-the-secret',
      TEST_SESSION_IDENTITY.sessionToken,
      'X-Amz-Signature',
      'X-Amz-Credential',
      ...good.tokens,
      ...bad.tokens,
    ]) {
      expect(written).not.toContain(secret)
    }
  })

  it('keeps one producer producing across several re-authentication periods', {
    timeout: 120_000,
  }, async () => {
    // The listener ends every session after 15 s (KAFKA_IAM_REAUTH_MS); kafkajs re-authenticates with a
    // fresh token in the last 10 s of a session. 48 s of sends every 2 s span three session lifetimes.
    const token = counting(signed(async () => TEST_IDENTITY))
    const sink = new KafkajsSink(iamKafkaConfig(), { iamToken: token.provider })
    const [reauthTopic] = (await createTestTopics(admin(), ['iam-reauth'], 1)) as [string]
    const sends = 24
    for (let i = 0; i < sends; i++) {
      await sink.send([{ topic: reauthTopic, messages: [{ key: 'k', value: String(i) }] }])
      await sleep(2_000)
    }
    await sink.close()

    expect(token.tokens.length).toBeGreaterThanOrEqual(4)
    const records = await readTopic(kafka, reauthTopic, sends)
    expect(records.map((r) => Number(r.value))).toEqual([...Array(sends).keys()])
  })
})
