import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../lib/errors.js'
import { UsageError } from '../../scripts/cli/flags.js'
import { loadStageSettings, serverlessErrorMessage, stageProblem } from '../../scripts/local/stage-env.js'

const ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/stocks/0b5d7a2e-1c3f-4e6a-9d8b-2f4e6a8c0d1e-2'

/** serverless.yml's shape as `serverless print` gives it, cut to what the checks read. */
const service = (checkedParams: Record<string, unknown>) => ({
  params: {
    default: { cluster: 'existing', validation: 'strict', clusterArn: '' },
    local: { cluster: 'local' },
    'local-iam': { cluster: 'local' },
    prod: {},
  },
  custom: {
    checkedParams: {
      cluster: 'local',
      onFailureDestination: 'kafka',
      gaveUpTopic: 'stocks-gave-up',
      validation: 'strict',
      errorHandling: 'true',
      reportBatchItemFailures: 'false',
      tracing: 'Active',
      maxMessageBytes: 1048588,
      ...checkedParams,
    },
  },
})

describe('what a command asks of serverless.yml', () => {
  it('a stage it defines, named with the stages there are', () => {
    expect(stageProblem(service({}), 'local', [], true)).toBeUndefined()
    expect(stageProblem(service({}), 'unknown', [], false)).toBe(
      '--stage "unknown" is not a stage of serverless.yml (its stages: local, local-iam, prod)',
    )
    expect(stageProblem(service({}), 'default', [], false)).toContain('--stage "default" is not a stage')
  })

  it('params it has, with values its rules (scripts/serverless/check-params.cjs) accept', () => {
    expect(stageProblem(service({}), 'local', ['validation=flink'], false)).toBeUndefined()
    expect(stageProblem(service({}), 'local', ['validaton=flink', 'x=1'], false)).toBe(
      '--param validaton, x: not a param of serverless.yml (docs/configuration.md lists them)',
    )
    expect(stageProblem(service({ validation: 'lenient' }), 'local', ['validation=lenient'], false)).toBe(
      '--param validation must be one of strict, flink, got "lenient"',
    )
  })

  it('for a run on this machine (npm start), brokers known before deploying', () => {
    expect(stageProblem(service({ cluster: 'existing' }), 'prod', [], false)).toBeUndefined()
    expect(stageProblem(service({ cluster: 'existing' }), 'prod', [], true)).toBe(
      'stage "prod" has cluster=existing, whose brokers are known only once deployed; run locally with --stage local or local-iam, or add --param cluster=local --param bootstrapServers=HOST:PORT',
    )
  })

  it("serverless's own error, without the lines about the environment", () => {
    const output = `\nEnvironment: linux, node 24\n\nError:\nCannot resolve serverless.yml: Variables resolution errored with:\n  - KAFKA_PORT must be a port number\n\nEnvironment: linux, node 24.22.3, osls 4.3.1 (local)\nDocs:        github.com/oss-serverless/osls\n`
    expect(serverlessErrorMessage(output)).toBe(
      'Cannot resolve serverless.yml: Variables resolution errored with: - KAFKA_PORT must be a port number',
    )
  })
})

describe('loadStageSettings, from `serverless print`', () => {
  it('a deployed stage: the values CloudFormation sets when deploying are left out, never "[object Object]"', async () => {
    const prod = await loadStageSettings('prod', [`clusterArn=${ARN}`])
    expect(prod.cluster).toBe('existing')
    expect(prod.environment.MSK_CLUSTER_ARN).toBe(ARN)
    expect(Object.values(prod.environment).join(' ')).not.toContain('[object Object]')
    const dev = await loadStageSettings('dev', ['cluster=serverless'])
    // The cluster the stack creates is known once it exists.
    expect(dev.deployTime).toContain('MSK_CLUSTER_ARN')
    expect(dev.environment.MSK_CLUSTER_ARN).toBeUndefined()
  }, 60_000)

  it('refuses an unknown stage and an unknown param, as the command line errors they are', async () => {
    await expect(loadStageSettings('unknown')).rejects.toThrow(
      new UsageError(
        '--stage "unknown" is not a stage of serverless.yml (its stages: local, local-iam, dev, prod)',
      ),
    )
    await expect(loadStageSettings('local', ['validaton=flink'])).rejects.toThrow(UsageError)
  }, 60_000)

  it("passes serverless's own refusal on as one ConfigError", async () => {
    const saved = process.env.KAFKA_PORT
    process.env.KAFKA_PORT = 'abc'
    try {
      const refused = loadStageSettings('local')
      await expect(refused).rejects.toThrow(ConfigError)
      await expect(refused).rejects.toThrow(
        /^serverless.yml, stage local: .*KAFKA_PORT must be a port number from 1 to 65535, got "abc"$/,
      )
    } finally {
      if (saved === undefined) delete process.env.KAFKA_PORT
      else process.env.KAFKA_PORT = saved
    }
  }, 60_000)
})
