'use strict'

/**
 * A local Serverless plugin: before packaging (and so before deploying), checks that the params of the
 * chosen `cluster` mode are set, so a forgotten `--param` fails at once with the name to set rather than
 * as a CloudFormation rollback. The values reach it resolved, in `custom.clusterParams`.
 */
const MODES = ['local', 'existing', 'serverless', 'provisioned']
const REQUIRED = {
  existing: {
    clusterArn: 'the cluster ARN, arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID',
    subnetIds: 'private subnets that reach the brokers, subnet-...,subnet-...',
    securityGroupIds: 'security groups the brokers accept on 9098, sg-...',
  },
}

class CheckClusterParams {
  constructor(serverless) {
    this.serverless = serverless
    this.hooks = { 'before:package:initialize': () => this.check() }
  }

  check() {
    const params = this.serverless.service.custom.clusterParams
    if (!MODES.includes(params.cluster)) {
      throw new this.serverless.classes.Error(
        `--param cluster must be one of ${MODES.join(', ')}, got "${params.cluster}"`,
      )
    }
    const missing = Object.entries(REQUIRED[params.cluster] ?? {}).filter(([name]) => !params[name])
    if (missing.length > 0) {
      const list = missing.map(([name, what]) => `--param="${name}=..." (${what})`).join('; ')
      throw new this.serverless.classes.Error(`cluster=${params.cluster} needs ${list}`)
    }
  }
}

module.exports = CheckClusterParams
