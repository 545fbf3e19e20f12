import { beforeAll, describe, expect, it } from 'vitest'
import { conditionValues } from '../support/cloudformation.js'
import { packageTemplate, serverless, type Template } from '../support/serverless.js'

/** What each created resource of a type says, by logical id. */
const ofType = (template: Template, type: string) =>
  Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === type))

describe('serverless package, a cluster the stack creates (offline)', () => {
  let serverlessTemplate: Template
  let provisionedTemplate: Template

  beforeAll(async () => {
    ;[serverlessTemplate, provisionedTemplate] = await Promise.all([
      packageTemplate('dev', { cluster: 'serverless' }),
      packageTemplate('prod', { cluster: 'provisioned' }),
    ])
  })

  it('makes an MSK Serverless cluster with IAM auth in private subnets', () => {
    const cluster = serverlessTemplate.Resources.ServerlessCluster
    expect(cluster?.Properties).toMatchObject({
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      VpcConfigs: [
        {
          SubnetIds: [{ Ref: 'PrivateSubnetA' }, { Ref: 'PrivateSubnetB' }],
          SecurityGroups: [{ Ref: 'BrokerSecurityGroup' }],
        },
      ],
    })
    expect(serverlessTemplate.Resources.ProvisionedCluster).toBeUndefined()
    expect(serverlessTemplate.Resources.ProcessorEventSourceMapping?.Properties.EventSourceArn).toEqual({
      Ref: 'ServerlessCluster',
    })
  })

  it('makes a provisioned cluster shaped like the original', () => {
    const cluster = provisionedTemplate.Resources.ProvisionedCluster?.Properties
    expect(cluster).toMatchObject({
      KafkaVersion: '3.9.x',
      NumberOfBrokerNodes: 2,
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: { Ref: 'BrokerLogGroup' } } } },
    })
    const properties = String(
      provisionedTemplate.Resources.ProvisionedClusterConfiguration?.Properties.ServerProperties,
    )
    for (const setting of [
      'log.retention.ms=604800000',
      'num.partitions=2',
      'default.replication.factor=2',
      'auto.create.topics.enable=false',
    ]) {
      expect(properties).toContain(setting)
    }
    expect(provisionedTemplate.Resources.ServerlessCluster).toBeUndefined()
  })

  it('keeps the VPC private: no internet gateway or NAT, AWS APIs through the endpoints the docs name', () => {
    for (const template of [serverlessTemplate, provisionedTemplate]) {
      const types = Object.values(template.Resources).map((r) => r.Type)
      expect(types).not.toContain('AWS::EC2::InternetGateway')
      expect(types).not.toContain('AWS::EC2::NatGateway')
      expect(Object.values(ofType(template, 'AWS::EC2::Route'))).toHaveLength(0)
      const endpoints = Object.fromEntries(
        Object.entries(ofType(template, 'AWS::EC2::VPCEndpoint')).map(([id, e]) => [
          id,
          [e.Condition ?? 'always', e.Properties.VpcEndpointType, e.Properties.ServiceName],
        ]),
      )
      const sub = (before: string, after: string) => ({ 'Fn::Sub': `${before}.\${AWS::Region}.${after}` })
      expect(endpoints).toEqual({
        // The MSK API's current interface endpoint service (MSK guide), for GetBootstrapBrokers.
        KafkaApiEndpoint: ['always', 'Interface', sub('aws.api', 'kafka-api')],
        // On-demand pollers only: provisioned ones (the default, for error handling) need neither.
        StsEndpoint: ['OnDemandMode', 'Interface', sub('com.amazonaws', 'sts')],
        LambdaApiEndpoint: ['OnDemandMode', 'Interface', sub('com.amazonaws', 'lambda')],
        // Only for an SQS on-failure destination.
        SqsEndpoint: ['SqsOnFailure', 'Interface', sub('com.amazonaws', 'sqs')],
        // CloudFormation takes the topics function's answer at a pre-signed S3 URL.
        S3Endpoint: ['always', 'Gateway', sub('com.amazonaws', 's3')],
      })
      // The topics function calls the MSK API through that endpoint's dual-stack name.
      const topicsEnv = template.Resources.TopicsLambdaFunction?.Properties.Environment as {
        Variables: Record<string, unknown>
      }
      expect(topicsEnv.Variables.AWS_USE_DUALSTACK_ENDPOINT).toBe('true')
    }
  })

  it('brings an SQS endpoint, reachable on 443 from the pollers, with an SQS on-failure destination', async () => {
    const sqs = await packageTemplate('dev', { cluster: 'serverless', onFailureDestination: 'sqs' })
    const conditions = conditionValues(sqs)
    expect(conditions).toMatchObject({ SqsOnFailure: true, KafkaOnFailure: false, OnDemandMode: false })
    expect(sqs.Resources.SqsEndpoint?.Properties.SecurityGroupIds).toEqual([{ Ref: 'EndpointSecurityGroup' }])
    const ingress = Object.values(ofType(sqs, 'AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties)
    expect(ingress).toContainEqual(
      expect.objectContaining({
        GroupId: { Ref: 'EndpointSecurityGroup' },
        FromPort: 443,
        SourceSecurityGroupId: { Ref: 'BrokerSecurityGroup' },
      }),
    )
    expect(sqs.Resources.ProcessorFailureQueue?.Type).toBe('AWS::SQS::Queue')
  })

  it('lets only the functions and the event source mapping reach the brokers, on 9098', () => {
    const rules = (kind: string) =>
      Object.values(ofType(serverlessTemplate, `AWS::EC2::SecurityGroup${kind}`)).map((r) => r.Properties)
    const toBrokers = rules('Ingress').filter(
      (r) => (r.GroupId as { Ref: string }).Ref === 'BrokerSecurityGroup',
    )
    expect(
      toBrokers.map((r) => [r.FromPort, r.ToPort, (r.SourceSecurityGroupId as { Ref: string }).Ref]).sort(),
    ).toEqual([
      [9098, 9098, 'BrokerSecurityGroup'],
      [9098, 9098, 'FunctionSecurityGroup'],
    ])
    // No group is open to an address range; each starts with no egress at all.
    for (const group of Object.values(ofType(serverlessTemplate, 'AWS::EC2::SecurityGroup'))) {
      expect(group.Properties.SecurityGroupIngress).toBeUndefined()
      expect(group.Properties.SecurityGroupEgress).toEqual([
        { IpProtocol: '-1', CidrIp: '127.0.0.1/32', Description: 'No egress but the rules below' },
      ])
    }
    for (const rule of [...rules('Ingress'), ...rules('Egress')]) expect([443, 9098]).toContain(rule.FromPort)
    // The one address-range rule is the functions' HTTPS egress, in a VPC with no internet route.
    const byRange = [...rules('Ingress'), ...rules('Egress')].filter((r) => r.CidrIp !== undefined)
    expect(byRange).toEqual([
      expect.objectContaining({
        GroupId: { Ref: 'FunctionSecurityGroup' },
        CidrIp: '0.0.0.0/0',
        FromPort: 443,
      }),
    ])
  })

  it("runs the functions in the stack's private subnets", () => {
    for (const fn of ['ProducerLambdaFunction', 'ProcessorLambdaFunction', 'TopicsLambdaFunction']) {
      expect(serverlessTemplate.Resources[fn]?.Properties.VpcConfig).toEqual({
        SecurityGroupIds: [{ Ref: 'FunctionSecurityGroup' }],
        SubnetIds: [{ Ref: 'PrivateSubnetA' }, { Ref: 'PrivateSubnetB' }],
      })
    }
  })

  it('creates the topics through the topics function once the cluster and the API endpoints exist', () => {
    expect(serverlessTemplate.Resources.Topics).toMatchObject({
      Type: 'Custom::KafkaTopics',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': ['TopicsLambdaFunction', 'Arn'] },
        // CloudFormation waits this long at most, not its default hour, for an answer that never comes.
        ServiceTimeout: 120,
        Topics: [
          'stocks-in',
          'stocks-out',
          'stocks-dlq',
          { 'Fn::If': ['KafkaOnFailure', 'stocks-gave-up', { Ref: 'AWS::NoValue' }] },
        ],
        NumPartitions: 2,
        ReplicationFactor: -1,
        // The same param the functions get as KAFKA_MAX_MESSAGE_BYTES.
        MaxMessageBytes: 1048588,
        ClusterArn: { Ref: 'ServerlessCluster' },
      },
    })
    expect(serverlessTemplate.Resources.ProcessorEventSourceMapping?.DependsOn).toContain('Topics')
    // The function answers before its own timeout, well inside the service timeout.
    expect(serverlessTemplate.Resources.TopicsLambdaFunction?.Properties.Timeout).toBe(60)
  })

  it('gives the topics and the functions one record size limit, and refuses one MSK Serverless cannot take', async () => {
    const limit = (template: Template, fn: string) =>
      String(
        (template.Resources[fn]?.Properties as { Environment?: { Variables: Record<string, unknown> } })
          ?.Environment?.Variables.KAFKA_MAX_MESSAGE_BYTES,
      )
    const larger = await packageTemplate('dev', { cluster: 'serverless', maxMessageBytes: '8388608' })
    expect(String(serverlessTemplate.Resources.Topics?.Properties.MaxMessageBytes)).toBe('1048588')
    expect(String(larger.Resources.Topics?.Properties.MaxMessageBytes)).toBe('8388608')
    for (const fn of ['ProducerLambdaFunction', 'ProcessorLambdaFunction', 'TopicsLambdaFunction']) {
      expect(limit(serverlessTemplate, fn)).toBe('1048588')
      expect(limit(larger, fn)).toBe('8388608')
    }
    await expect(
      packageTemplate('dev', { cluster: 'serverless', maxMessageBytes: '8388609' }),
    ).rejects.toThrow(
      /--param maxMessageBytes must be a whole number from 16384 to 8388608 on MSK Serverless, got "8388609"/,
    )
  })

  it('alarms on offset lag, errors, dead letters and what the mapping gave up on, per stage, on a dashboard', () => {
    const alarms = ofType(provisionedTemplate, 'AWS::CloudWatch::Alarm')
    const watched = Object.values(alarms).map(
      (a) =>
        `${a.Properties.Namespace}/${a.Properties.MetricName}:${JSON.stringify(a.Properties.Dimensions)}`,
    )
    const mapping = JSON.stringify([
      { Name: 'EventSourceMappingUUID', Value: { Ref: 'ProcessorEventSourceMapping' } },
    ])
    const queue = (id: string) =>
      JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }])
    expect(watched.sort()).toEqual(
      [
        // The worst partition's lag, from the mapping's KafkaMetrics.
        `AWS/Lambda/MaxOffsetLag:${mapping}`,
        'AWS/Lambda/Errors:[{"Name":"FunctionName","Value":"msk-lambda-stocks-prod-processor"}]',
        'AWS/Lambda/Errors:[{"Name":"FunctionName","Value":"msk-lambda-stocks-prod-producer"}]',
        // The custom metric carries the stage, so dev and prod in one account never share an alarm.
        'MskLambdaStocks/RecordsDeadLettered:[{"Name":"service","Value":"msk-lambda-stocks"},{"Name":"stage","Value":"prod"}]',
        `AWS/Lambda/OnFailureDestinationDeliveredEventCount:${mapping}`,
        `AWS/Lambda/DroppedEventCount:${mapping}`,
        // The producer's ticks that Lambda gave up on, and those the schedule could not deliver.
        `AWS/SQS/ApproximateNumberOfMessagesVisible:${queue('ProducerFailureQueue')}`,
        `AWS/SQS/ApproximateNumberOfMessagesVisible:${queue('ProducerScheduleDeadLetterQueue')}`,
      ].sort(),
    )
    for (const alarm of Object.values(alarms))
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }])
    expect(alarms.OffsetLagAlarm?.Properties).toMatchObject({
      Threshold: 1000,
      EvaluationPeriods: 3,
      Statistic: 'Maximum',
    })
    // The functions emit their metrics under the same namespace, with the stage as a dimension.
    const env = provisionedTemplate.Resources.ProcessorLambdaFunction?.Properties.Environment as {
      Variables: Record<string, unknown>
    }
    expect(env.Variables).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'MskLambdaStocks', STAGE: 'prod' })
    const dashboard = provisionedTemplate.Resources.Dashboard?.Properties.DashboardBody as
      | { 'Fn::Sub': [string, Record<string, unknown>] }
      | undefined
    const [body = '', values = {}] = dashboard?.['Fn::Sub'] ?? []
    expect(values).toMatchObject({
      Namespace: 'MskLambdaStocks',
      Service: 'msk-lambda-stocks',
      Stage: 'prod',
    })
    for (const metric of [
      'RecordsIn',
      'RecordsOut',
      'RecordsDeadLettered',
      'MaxOffsetLag',
      'SumOffsetLag',
      'BatchLatency',
      'Errors',
      'OnFailureDestinationDeliveredEventCount',
      'DroppedEventCount',
      'ApproximateNumberOfMessagesVisible',
      'AsyncEventsDropped',
    ]) {
      expect(body).toContain(`"${metric}"`)
    }
    // Every custom metric line of the dashboard names the stage.
    const widgets = JSON.parse(body.replaceAll(/\$\{[^}]+\}/g, 'x')).widgets as {
      properties: { metrics: unknown[][] }
    }[]
    expect(widgets).toHaveLength(6)
    for (const line of widgets.flatMap((w) => w.properties.metrics)) {
      if (line[0] === 'x') expect(line.slice(2, 6)).toEqual(['service', 'x', 'stage', 'x'])
    }
  })

  it('can pause the producer and the processor per stage', async () => {
    const paused = await packageTemplate('dev', {
      cluster: 'serverless',
      producerScheduleEnabled: 'false',
      processorEnabled: 'false',
    })
    const rule = Object.values(ofType(paused, 'AWS::Events::Rule'))[0]
    expect(rule?.Properties.State).toBe('DISABLED')
    // A --param arrives as text; CloudFormation reads "false" as the boolean.
    expect(String(paused.Resources.ProcessorEventSourceMapping?.Properties.Enabled)).toBe('false')
  })

  it('refuses to package an existing cluster without its ARN and network, naming what to set', async () => {
    const result = await serverless(['package', '--stage', 'prod', '--package', '/tmp/never-written'])
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toMatch(/cluster=existing needs --param="clusterArn=\.\.\."/)
    expect(result.stdout + result.stderr).toMatch(/--param="subnetIds=\.\.\."/)
  })
})
