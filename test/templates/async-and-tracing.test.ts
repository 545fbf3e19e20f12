import { beforeAll, describe, expect, it } from 'vitest'
import { EXISTING_CLUSTER, packageTemplate, type Template } from '../support/serverless.js'

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] })
const ofType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type)

describe.each([
  ['an existing cluster', 'prod', EXISTING_CLUSTER],
  ['MSK Serverless, on-demand pollers', 'dev', { cluster: 'serverless', errorHandling: 'false' }],
])('serverless package, %s: tracing and the producer asynchronous invocations', (_variant, stage, params) => {
  let template: Template
  const resource = (id: string) => {
    const found = template.Resources[id]
    if (found === undefined) throw new Error(`${id} is not in the template`)
    return found
  }

  beforeAll(async () => {
    template = await packageTemplate(stage, params)
  })

  const otelSwitch = (fn: Template['Resources'][string]) =>
    (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.OTEL_SDK_DISABLED

  it('traces every function actively (X-Ray), OpenTelemetry on: its spans go to the daemon Lambda runs', () => {
    const functions = ofType(template, 'AWS::Lambda::Function')
    expect(functions.map(([id]) => id).sort()).toEqual([
      'ProcessorLambdaFunction',
      'ProducerLambdaFunction',
      'TopicsLambdaFunction',
    ])
    for (const [, fn] of functions) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' })
      expect(otelSwitch(fn)).toBe('false')
      // No OTLP endpoint: the spans need no route out of the VPC (lib/tracing/settings.ts).
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables
      expect(Object.keys(variables).filter((name) => name.startsWith('OTEL_EXPORTER_OTLP'))).toEqual([])
    }
  })

  it('traces only what a caller sampled with tracing=PassThrough, which no schedule or MSK event does, OpenTelemetry off', async () => {
    const passThrough = await packageTemplate(stage, { ...params, tracing: 'PassThrough' })
    const functions = ofType(passThrough, 'AWS::Lambda::Function')
    expect(functions).toHaveLength(3)
    for (const [, fn] of functions) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'PassThrough' })
      expect(otelSwitch(fn)).toBe('true')
    }
    await expect(packageTemplate(stage, { ...params, tracing: 'true' })).rejects.toThrow(
      /--param tracing must be one of Active, PassThrough, got "true"/,
    )
  })

  it('bounds the producer retries and event age, and records what Lambda gives up on in a queue', () => {
    expect(resource('ProducerLambdaEvConf').Properties).toEqual({
      // The same function reference as the schedule's invoke permission, which is how the serverless
      // rules (ES1007) tie the two together.
      FunctionName: getAtt('ProducerLambdaFunction'),
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: getAtt('ProducerFailureQueue') } },
    })
    expect(resource('ProducerLambdaPermissionEventsRuleSchedule1').Properties).toMatchObject({
      FunctionName: getAtt('ProducerLambdaFunction'),
      Principal: 'events.amazonaws.com',
    })
    expect(resource('ProducerFailureQueue').Properties).toEqual({
      MessageRetentionPeriod: 1209600,
      KmsMasterKeyId: 'alias/aws/sqs',
    })
  })

  it("gives the schedule's target a dead-letter queue that only this rule may write to", () => {
    expect(resource('ProducerEventsRuleSchedule1').Properties.Targets).toEqual([
      {
        Arn: getAtt('ProducerLambdaFunction'),
        Id: 'producerSchedule',
        DeadLetterConfig: { Arn: getAtt('ProducerScheduleDeadLetterQueue') },
        RetryPolicy: { MaximumEventAgeInSeconds: 300 },
      },
    ])
    // EventBridge cannot use the AWS managed key: SQS-managed encryption instead.
    expect(resource('ProducerScheduleDeadLetterQueue').Properties).toEqual({
      MessageRetentionPeriod: 1209600,
      SqsManagedSseEnabled: true,
    })
    expect(resource('ProducerScheduleDeadLetterQueuePolicy').Properties).toEqual({
      Queues: [{ Ref: 'ProducerScheduleDeadLetterQueue' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ScheduleRuleDeadLetters',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt('ProducerScheduleDeadLetterQueue'),
            Condition: { ArnEquals: { 'aws:SourceArn': getAtt('ProducerEventsRuleSchedule1') } },
          },
        ],
      },
    })
  })

  it("lets the producer role write its on-failure queue, and every role send traces through Lambda's daemon", () => {
    const statements = (role: string) =>
      (
        resource(role).Properties.Policies as {
          PolicyDocument: { Statement: { Sid?: string; Action: unknown; Resource: unknown }[] }
        }[]
      ).flatMap((policy) => policy.PolicyDocument.Statement)
    expect(statements('ProducerRole')).toContainEqual(
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: getAtt('ProducerFailureQueue') }),
    )
    for (const role of ['ProducerRole', 'ProcessorRole', 'TopicsRole']) {
      expect(statements(role)).toContainEqual({
        Sid: 'SendTraces',
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: '*',
      })
    }
  })

  it('alarms as soon as either queue holds a message, and shows both on the dashboard', () => {
    for (const [alarm, queue] of [
      ['ProducerGaveUpAlarm', 'ProducerFailureQueue'],
      ['ProducerScheduleUndeliveredAlarm', 'ProducerScheduleDeadLetterQueue'],
    ] as const) {
      expect(resource(alarm).Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queue, 'QueueName') }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      })
    }
    const [body, values] = (
      resource('Dashboard').Properties.DashboardBody as { 'Fn::Sub': [string, object] }
    )['Fn::Sub']
    expect(values).toMatchObject({
      ProducerFailureQueue: getAtt('ProducerFailureQueue', 'QueueName'),
      ScheduleDeadLetterQueue: getAtt('ProducerScheduleDeadLetterQueue', 'QueueName'),
    })
    expect(body).toContain(`"QueueName", "\${ProducerFailureQueue}"`)
    expect(body).toContain(`"...", "\${ScheduleDeadLetterQueue}"`)
  })
})
