'use strict'

/**
 * A local Serverless plugin: before packaging (and so before deploying), checks the params that choose
 * what a stage deploys, so a forgotten or mistyped `--param` fails at once with the name to set rather
 * than as a CloudFormation rollback, or worse, a stack that deploys without what was asked for. The
 * values reach it resolved, in `custom.checkedParams`.
 */
const CHOICES = {
  cluster: ['local', 'existing', 'serverless', 'provisioned'],
  onFailureDestination: ['kafka', 'sqs'],
  validation: ['strict', 'flink'],
  errorHandling: ['true', 'false'],
  reportBatchItemFailures: ['true', 'false'],
  tracing: ['Active', 'PassThrough'],
}
const REQUIRED = {
  existing: {
    clusterArn: 'the cluster ARN, arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID',
    subnetIds: 'private subnets that reach the brokers, subnet-...,subnet-...',
    securityGroupIds: 'security groups the brokers accept on 9098, sg-...',
  },
}
// A `kafka://TOPIC` destination is at least 12 characters (AWS::Lambda::EventSourceMapping OnFailure).
const MIN_GAVE_UP_TOPIC_LENGTH = 4

class CheckParams {
  constructor(serverless) {
    this.serverless = serverless
    this.hooks = { 'before:package:initialize': () => this.check() }
  }

  fail(message) {
    throw new this.serverless.classes.Error(message)
  }

  check() {
    const params = this.serverless.service.custom.checkedParams
    for (const [name, allowed] of Object.entries(CHOICES)) {
      if (!allowed.includes(String(params[name]))) {
        this.fail(`--param ${name} must be one of ${allowed.join(', ')}, got "${params[name]}"`)
      }
    }
    const missing = Object.entries(REQUIRED[params.cluster] ?? {}).filter(([name]) => !params[name])
    if (missing.length > 0) {
      const list = missing.map(([name, what]) => `--param="${name}=..." (${what})`).join('; ')
      this.fail(`cluster=${params.cluster} needs ${list}`)
    }
    if (
      params.onFailureDestination === 'kafka' &&
      String(params.gaveUpTopic).length < MIN_GAVE_UP_TOPIC_LENGTH
    ) {
      this.fail(
        `--param gaveUpTopic must have at least ${MIN_GAVE_UP_TOPIC_LENGTH} characters (kafka://TOPIC)`,
      )
    }
  }
}

module.exports = CheckParams
