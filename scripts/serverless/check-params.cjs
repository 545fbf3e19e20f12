'use strict'

const { readFileSync } = require('node:fs')
const { join } = require('node:path')

/**
 * A local Serverless plugin: before packaging (and so before deploying), checks the params that choose
 * what a stage deploys, so a forgotten or mistyped `--param` fails at once with the name to set rather
 * than as a CloudFormation rollback, or worse, a stack that deploys without what was asked for. The
 * values reach it resolved, in `custom.checkedParams`.
 *
 * `invoke local` is checked too, first of all: it runs a function on this machine, so the stage must be
 * one of serverless.yml with brokers known before deploying (cluster=local). The same rules serve
 * `npm start` and the operator scripts (scripts/local/stage-env.ts), through `paramProblem`.
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
/**
 * The sink formats on offer, as lib/sink-formats-offered.ts lists them (`export { xFormat as NAME }`), and
 * the one the functions take when sinkFormat is empty: flink when it is on offer (lib/sink-formats.ts).
 */
function offeredFormats() {
  const offered = readFileSync(join(__dirname, '../../lib/sink-formats-offered.ts'), 'utf8')
  const names = [...offered.matchAll(/^export \{ \w+ as (\w+) \}/gm)].map((match) => match[1]).sort()
  return { names, fallback: names.includes('flink') ? 'flink' : 'json' }
}

/** The validation modes a sink format offers; only flink has Flink's own. */
const FORMAT_VALIDATIONS = { flink: ['strict', 'flink'] }

// A `kafka://TOPIC` destination is at least 12 characters (AWS::Lambda::EventSourceMapping OnFailure).
const MIN_GAVE_UP_TOPIC_LENGTH = 4
// The topics' max.message.bytes: room for a dead letter's own headers at least (lib/config.ts), at most
// what a Kafka request may carry; MSK Serverless takes messages up to 8 MiB ("Amazon MSK quota").
const MAX_MESSAGE_BYTES = { min: 16_384, max: 104_857_600, serverless: 8_388_608 }

/**
 * What is wrong with the stage's resolved params, in one message; undefined when nothing is.
 * `deploying`: the params an existing cluster needs are required too.
 */
function paramProblem(params, { deploying = true } = {}) {
  for (const [name, allowed] of Object.entries(CHOICES)) {
    if (!allowed.includes(String(params[name]))) {
      return `--param ${name} must be one of ${allowed.join(', ')}, got "${params[name]}"`
    }
  }
  const formats = offeredFormats()
  const sinkFormat = String(params.sinkFormat ?? '')
  if (sinkFormat !== '' && !formats.names.includes(sinkFormat)) {
    return `--param sinkFormat must be one of ${formats.names.join(', ')} (or empty: ${formats.fallback}), got "${sinkFormat}"`
  }
  const format = sinkFormat === '' ? formats.fallback : sinkFormat
  const validations = FORMAT_VALIDATIONS[format] ?? ['strict']
  if (!validations.includes(String(params.validation))) {
    return `--param validation=${params.validation} needs sinkFormat=flink; sinkFormat ${format} offers ${validations.join(', ')}`
  }
  const missing = deploying
    ? Object.entries(REQUIRED[params.cluster] ?? {}).filter(([name]) => !params[name])
    : []
  if (missing.length > 0) {
    const list = missing.map(([name, what]) => `--param="${name}=..." (${what})`).join('; ')
    return `cluster=${params.cluster} needs ${list}`
  }
  if (
    params.onFailureDestination === 'kafka' &&
    String(params.gaveUpTopic).length < MIN_GAVE_UP_TOPIC_LENGTH
  ) {
    return `--param gaveUpTopic must have at least ${MIN_GAVE_UP_TOPIC_LENGTH} characters (kafka://TOPIC)`
  }
  const maxMessageBytes = Number(params.maxMessageBytes)
  const largest = params.cluster === 'serverless' ? MAX_MESSAGE_BYTES.serverless : MAX_MESSAGE_BYTES.max
  if (
    !Number.isInteger(maxMessageBytes) ||
    maxMessageBytes < MAX_MESSAGE_BYTES.min ||
    maxMessageBytes > largest
  ) {
    return (
      `--param maxMessageBytes must be a whole number from ${MAX_MESSAGE_BYTES.min} to ${largest}` +
      `${params.cluster === 'serverless' ? ' on MSK Serverless' : ''}, got "${params.maxMessageBytes}"`
    )
  }
  return undefined
}

/** The stages serverless.yml gives params to (`default` is not one). */
function stagesOf(configuration) {
  return Object.keys(configuration.params ?? {}).filter((stage) => stage !== 'default')
}

/**
 * What keeps a stage from running on this machine (`invoke local`, `npm start`): a stage serverless.yml
 * does not define, or one whose brokers are only known once deployed.
 */
function localStageProblem(stage, stages, cluster) {
  if (!stages.includes(stage)) {
    return `stage "${stage}" is not in serverless.yml (its stages: ${stages.join(', ')}); use --stage local or local-iam, or add "${stage}" under params`
  }
  if (cluster !== 'local') {
    return `stage "${stage}" has cluster=${cluster}, whose brokers are known only once deployed; run locally with --stage local or local-iam, or add --param cluster=local --param bootstrapServers=HOST:PORT`
  }
  return undefined
}

class CheckParams {
  constructor(serverless, options) {
    this.serverless = serverless
    this.options = options ?? {}
    this.hooks = {
      initialize: () => this.checkInvokeLocal(),
      'before:package:initialize': () => this.check(),
    }
  }

  fail(message) {
    throw new this.serverless.classes.Error(message)
  }

  check() {
    const problem = paramProblem(this.serverless.service.custom.checkedParams)
    if (problem !== undefined) this.fail(problem)
  }

  checkInvokeLocal() {
    const [command, subcommand] = this.serverless.processedInput?.commands ?? []
    if (command !== 'invoke' || subcommand !== 'local') return
    const params = this.serverless.service.custom.checkedParams
    const problem =
      localStageProblem(
        this.options.stage ?? this.serverless.service.provider.stage,
        stagesOf(this.serverless.configurationInput),
        params.cluster,
      ) ?? paramProblem(params, { deploying: false })
    if (problem !== undefined) this.fail(problem)
  }
}

module.exports = CheckParams
module.exports.paramProblem = paramProblem
module.exports.localStageProblem = localStageProblem
module.exports.stagesOf = stagesOf
