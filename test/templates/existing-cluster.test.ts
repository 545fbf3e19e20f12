import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_SINK_FORMAT, SINK_FORMAT_NAMES } from '../../lib/sink-formats.js'
import { conditionValues, evaluate } from '../support/cloudformation.js'
import { EXISTING_CLUSTER, packageTemplate, type Template } from '../support/serverless.js'

const CLUSTER_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/stocks/0b5d7a2e-1c3f-4e6a-9d8b-2f4e6a8c0d1e-2'
const PSEUDO = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' }

describe('serverless package --stage prod (offline), on an existing cluster', () => {
  let template: Template

  let pseudo: typeof PSEUDO & { conditions: Record<string, boolean> }

  beforeAll(async () => {
    template = await packageTemplate('prod', EXISTING_CLUSTER)
    pseudo = { ...PSEUDO, conditions: conditionValues(template) }
  })

  it('builds both functions and the MSK event source mapping', () => {
    const clusterArn = CLUSTER_ARN
    const resources = Object.values(template.Resources) as {
      Type: string
      Properties: Record<string, unknown>
    }[]
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function')
    expect(functions).toHaveLength(3)
    // Lambda's current Node.js runtime, the major the tests run on (.nvmrc), on Graviton.
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] })
    }

    const mappings = resources.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
    expect(mappings).toHaveLength(1)
    expect(mappings[0]?.Properties).toMatchObject({
      FunctionName: { Ref: 'ProcessorLambdaFunction' },
      EventSourceArn: clusterArn,
      Topics: ['stocks-in'],
      StartingPosition: 'TRIM_HORIZON',
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'msk-lambda-stocks-prod-processor' },
      BatchSize: 2000,
      MaximumBatchingWindowInSeconds: 1,
      // The params' text, which CloudFormation reads as the boolean.
      Enabled: 'true',
    })
    const schedule = resources.find((r) => r.Type === 'AWS::Events::Rule')
    expect(schedule?.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' })
  })

  it("bounds the mapping's retries and record age and sends what it gives up on to a Kafka topic", () => {
    const mapping = template.Resources.ProcessorEventSourceMapping?.Properties
    const conditions = template.Conditions
    expect(conditions.ErrorHandling).toEqual({ 'Fn::Equals': ['true', 'true'] })
    const whenErrorHandling = (value: unknown) => ({
      'Fn::If': ['ErrorHandling', value, { Ref: 'AWS::NoValue' }],
    })
    expect(mapping).toMatchObject({
      ProvisionedPollerConfig: {
        'Fn::If': ['ProvisionedMode', { MinimumPollers: 1, MaximumPollers: 2 }, { Ref: 'AWS::NoValue' }],
      },
      MaximumRetryAttempts: whenErrorHandling(5),
      MaximumRecordAgeInSeconds: whenErrorHandling(86400),
      DestinationConfig: whenErrorHandling({
        OnFailure: {
          Destination: {
            'Fn::If': [
              'SqsOnFailure',
              { 'Fn::GetAtt': ['ProcessorFailureQueue', 'Arn'] },
              'kafka://stocks-gave-up',
            ],
          },
        },
      }),
      FunctionResponseTypes: {
        'Fn::If': ['ReportBatchItemFailures', ['ReportBatchItemFailures'], { Ref: 'AWS::NoValue' }],
      },
      MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
    })
    // The Kafka destination by default: no queue, and the gave-up topic made with the others.
    expect(pseudo.conditions).toMatchObject({ KafkaOnFailure: true, SqsOnFailure: false })
    expect(template.Resources.ProcessorFailureQueue?.Condition).toBe('SqsOnFailure')
    expect(evaluate(template.Resources.Topics?.Properties.Topics, pseudo)).toEqual([
      'stocks-in',
      'stocks-out',
      'stocks-dlq',
      'stocks-gave-up',
    ])
    // Partial batch responses are off by default, and the function is told the same.
    expect(conditions.ReportBatchItemFailures).toEqual({ 'Fn::Equals': ['false', 'true'] })
    const env = template.Resources.ProcessorLambdaFunction?.Properties.Environment as {
      Variables: Record<string, string>
    }
    expect(env.Variables.REPORT_BATCH_ITEM_FAILURES).toBe('false')
    expect(conditions.ProvisionedMode).toEqual({
      'Fn::Or': [{ Condition: 'ErrorHandling' }, { Condition: 'ReportBatchItemFailures' }],
    })
  })

  it('chooses the sink format by one param, and refuses the flink validation without the flink format', async () => {
    const processorEnv = (t: Template) =>
      (
        t.Resources.ProcessorLambdaFunction?.Properties as {
          Environment?: { Variables: Record<string, unknown> }
        }
      )?.Environment?.Variables ?? {}
    // Empty: the functions take the flink format when it is on offer (lib/sink-formats.ts).
    expect(processorEnv(template)).toMatchObject({ SINK_FORMAT: '', VALIDATION_MODE: 'strict' })
    const json = await packageTemplate('prod', { ...EXISTING_CLUSTER, sinkFormat: 'json' })
    expect(processorEnv(json)).toMatchObject({ SINK_FORMAT: 'json' })
    await expect(
      packageTemplate('prod', { ...EXISTING_CLUSTER, sinkFormat: 'json', validation: 'flink' }),
    ).rejects.toThrow(/--param validation=flink needs sinkFormat=flink; sinkFormat json offers strict/)
    await expect(packageTemplate('prod', { ...EXISTING_CLUSTER, sinkFormat: 'avro' })).rejects.toThrow(
      `--param sinkFormat must be one of ${SINK_FORMAT_NAMES.join(', ')} (or empty: ${DEFAULT_SINK_FORMAT}), got "avro"`,
    )
  })

  it('gives each function its own role', () => {
    expect(template.Resources.ProducerLambdaFunction?.Properties.Role).toEqual({
      'Fn::GetAtt': ['ProducerRole', 'Arn'],
    })
    expect(template.Resources.ProcessorLambdaFunction?.Properties.Role).toEqual({
      'Fn::GetAtt': ['ProcessorRole', 'Arn'],
    })
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined()
  })

  it('gives the producer and processor the brokers the Topics resource looked up, once per deployment', () => {
    const variables = (fn: string) =>
      (template.Resources[fn]?.Properties as { Environment?: { Variables: Record<string, unknown> } })
        ?.Environment?.Variables ?? {}
    for (const fn of ['ProducerLambdaFunction', 'ProcessorLambdaFunction']) {
      expect(variables(fn).KAFKA_BOOTSTRAP_SERVERS).toEqual({ 'Fn::GetAtt': ['Topics', 'BootstrapBrokers'] })
    }
    // The topics function looks them up itself, from the cluster ARN.
    expect(variables('TopicsLambdaFunction')).toMatchObject({
      KAFKA_BOOTSTRAP_SERVERS: '',
      MSK_CLUSTER_ARN: CLUSTER_ARN,
    })
  })

  it('runs the functions in the given subnets and security groups', () => {
    for (const fn of ['ProducerLambdaFunction', 'ProcessorLambdaFunction', 'TopicsLambdaFunction']) {
      expect(evaluate(template.Resources[fn]?.Properties.VpcConfig, pseudo)).toEqual({
        SubnetIds: EXISTING_CLUSTER.subnetIds.split(','),
        SecurityGroupIds: [EXISTING_CLUSTER.securityGroupIds],
      })
    }
    // The stack creates no network and no cluster for an existing one.
    expect(Object.values(template.Resources).filter((r) => /^AWS::(EC2|MSK)::/.test(r.Type))).toEqual([])
  })
})
