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
// The topics' max.message.bytes: room for a dead letter's own headers at least (lib/config.ts), at most
// what a Kafka request may carry; MSK Serverless takes messages up to 8 MiB ("Amazon MSK quota").
const MAX_MESSAGE_BYTES = { min: 16_384, max: 104_857_600, serverless: 8_388_608 }
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
    const maxMessageBytes = Number(params.maxMessageBytes)
    const largest = params.cluster === 'serverless' ? MAX_MESSAGE_BYTES.serverless : MAX_MESSAGE_BYTES.max
    if (
      !Number.isInteger(maxMessageBytes) ||
      maxMessageBytes < MAX_MESSAGE_BYTES.min ||
      maxMessageBytes > largest
    ) {
      this.fail(
        `--param maxMessageBytes must be a whole number from ${MAX_MESSAGE_BYTES.min} to ${largest}` +
          `${params.cluster === 'serverless' ? ' on MSK Serverless' : ''}, got "${params.maxMessageBytes}"`,
      )
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
