import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { conditionValues, roleStatements, type Statement } from '../support/cloudformation.js'
import { arnMatches, fitsReference, grantingStatement } from '../support/iam.js'
import { EXISTING_CLUSTER, packageTemplate, type Template } from '../support/serverless.js'

/**
 * Every AWS call made with each function's role: by its own code, by the Lambda service for it (logs,
 * network interfaces in a VPC) and, for the processor, by its event source mapping (Lambda guide:
 * "Configuring Lambda permissions for Amazon MSK event source mappings"; for a Kafka on-failure
 * destination, "Using a Kafka topic as an on-failure destination"). docs/iam.md lists the same.
 */
const PARTITION_REGION_ACCOUNT = 'aws:eu-west-1:123456789012'
const CLUSTER = EXISTING_CLUSTER.clusterArn
const clusterPath = CLUSTER.split(':cluster/')[1]
const topic = (name: string) => `arn:aws:kafka:eu-west-1:123456789012:topic/${clusterPath}/${name}`
const group = (name: string) => `arn:aws:kafka:eu-west-1:123456789012:group/${clusterPath}/${name}`
const logStream = (fn: string) =>
  `arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/msk-lambda-stocks-prod-${fn}:log-stream:2026/11/25/[$LATEST]0123`
const ec2 = (resource: string) => `arn:${PARTITION_REGION_ACCOUNT.replace('aws:', 'aws:ec2:')}:${resource}`

type Call = readonly [action: string, resource: string]

const inVpc: Call[] = [
  ['ec2:CreateNetworkInterface', ec2('network-interface/eni-0123456789abcdef0')],
  ['ec2:CreateNetworkInterface', ec2(`subnet/${EXISTING_CLUSTER.subnetIds.split(',')[0]}`)],
  ['ec2:CreateNetworkInterface', ec2(`security-group/${EXISTING_CLUSTER.securityGroupIds}`)],
  ['ec2:DeleteNetworkInterface', ec2('network-interface/eni-0123456789abcdef0')],
  ['ec2:AssignPrivateIpAddresses', ec2('network-interface/eni-0123456789abcdef0')],
  ['ec2:UnassignPrivateIpAddresses', ec2('network-interface/eni-0123456789abcdef0')],
  ['ec2:DescribeNetworkInterfaces', '*'],
  ['ec2:DescribeSubnets', '*'],
]
const logs = (fn: string): Call[] => [
  ['logs:CreateLogStream', logStream(fn)],
  ['logs:PutLogEvents', logStream(fn)],
]
// Lambda's X-Ray daemon, for each function with active tracing.
const traces: Call[] = [
  ['xray:PutTraceSegments', '*'],
  ['xray:PutTelemetryRecords', '*'],
]
/** A queue of the stack, named as scripts/checks/iam_policies.py resolves its ARN for parliament. */
const queue = (logicalId: string) => `arn:aws:sqs:eu-west-1:123456789012:${logicalId}`

const CALLS: Record<string, Call[]> = {
  ProducerRole: [
    ['kafka-cluster:Connect', CLUSTER],
    ['kafka-cluster:WriteDataIdempotently', CLUSTER],
    ['kafka-cluster:DescribeTopic', topic('stocks-in')],
    ['kafka-cluster:WriteData', topic('stocks-in')],
    // Lambda, recording the asynchronous invocations it gave up on.
    ['sqs:SendMessage', queue('ProducerFailureQueue')],
    ...logs('producer'),
    ...traces,
    ...inVpc,
  ],
  ProcessorRole: [
    // The function.
    ['kafka-cluster:Connect', CLUSTER],
    ['kafka-cluster:WriteDataIdempotently', CLUSTER],
    ...['stocks-out', 'stocks-dlq'].flatMap((name): Call[] => [
      ['kafka-cluster:DescribeTopic', topic(name)],
      ['kafka-cluster:WriteData', topic(name)],
    ]),
    ...logs('processor'),
    ...traces,
    ...inVpc,
    // Its event source mapping.
    ['kafka:DescribeClusterV2', CLUSTER],
    ['kafka:GetBootstrapBrokers', '*'],
    ['ec2:DescribeVpcs', '*'],
    ['ec2:DescribeSecurityGroups', '*'],
    ['kafka-cluster:DescribeGroup', group('msk-lambda-stocks-prod-processor')],
    ['kafka-cluster:AlterGroup', group('msk-lambda-stocks-prod-processor')],
    ['kafka-cluster:DescribeTopic', topic('stocks-in')],
    ['kafka-cluster:ReadData', topic('stocks-in')],
    ['kafka-cluster:DescribeTopic', topic('stocks-gave-up')],
    ['kafka-cluster:WriteData', topic('stocks-gave-up')],
  ],
  TopicsRole: [
    ['kafka:GetBootstrapBrokers', '*'],
    ['kafka-cluster:Connect', CLUSTER],
    ...['stocks-in', 'stocks-out', 'stocks-dlq', 'stocks-gave-up'].flatMap((name): Call[] => [
      ['kafka-cluster:CreateTopic', topic(name)],
      ['kafka-cluster:DescribeTopic', topic(name)],
      ['kafka-cluster:AlterTopic', topic(name)],
    ]),
    ...logs('topics'),
    ...traces,
    ...inVpc,
  ],
}

const PSEUDO = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' }

/** The evaluator leaves Fn::GetAtt as `GetAtt(Id.Arn)`; a queue's is an ARN the reference can check. */
function withQueueArns(template: Template, statement: Statement): Statement {
  const resolve = (resource: string) =>
    resource.replace(/^GetAtt\((\w+)\.Arn\)$/, (unresolved, id: string) =>
      template.Resources[id]?.Type === 'AWS::SQS::Queue' ? queue(id) : unresolved,
    )
  return { ...statement, Resource: [statement.Resource].flat().map(resolve) }
}

describe('IAM: every call each role makes is granted, on a resource type the reference allows', () => {
  let template: Template
  let statements: Record<string, Statement[]>

  beforeAll(async () => {
    template = await packageTemplate('prod', EXISTING_CLUSTER)
    const conditions = conditionValues(template)
    statements = Object.fromEntries(
      Object.keys(CALLS).map((role) => [
        role,
        roleStatements(template, role, { ...PSEUDO, conditions }).map((s) => withQueueArns(template, s)),
      ]),
    )
  })

  for (const [role, calls] of Object.entries(CALLS)) {
    it(`${role}: each call has its grant`, () => {
      const missing = calls.filter(
        ([action, resource]) => !grantingStatement(statements[role] ?? [], action, resource),
      )
      expect(missing).toEqual([])
    })

    it(`${role}: grants only what it calls, each on a resource of the type the reference lists`, () => {
      for (const statement of statements[role] ?? []) {
        for (const action of [statement.Action].flat()) {
          for (const resource of [statement.Resource].flat()) {
            expect(fitsReference(action, resource), `${statement.Sid}: ${action} on ${resource}`).toBe(true)
            const served = calls.some(([called, arn]) => called === action && arnMatches(resource, arn))
            expect(
              served,
              `${role} ${statement.Sid} grants ${action} on ${resource}, which no call needs`,
            ).toBe(true)
          }
        }
        // "*" only for actions that take nothing else, alone in their statement.
        if ([statement.Resource].flat().includes('*')) {
          expect([statement.Resource].flat()).toEqual(['*'])
          for (const action of [statement.Action].flat()) expect(fitsReference(action, '*')).toBe(true)
        }
      }
    })
  }

  it('docs/iam.md names every call next to the statement that grants it', () => {
    const doc = readFileSync(new URL('../../docs/iam.md', import.meta.url), 'utf8')
    for (const [role, calls] of Object.entries(CALLS)) {
      for (const [action, resource] of calls) {
        const sid = grantingStatement(statements[role] ?? [], action, resource)?.Sid
        const row = doc
          .split('\n')
          .find((line) => line.includes(`\`${action}\``) && line.includes(`\`${sid}\``))
        expect(row, `docs/iam.md: a row for ${action} granted by ${role}'s ${sid}`).toBeDefined()
      }
    }
  })
})
