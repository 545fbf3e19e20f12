import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import { ConfigError } from '../../lib/errors.js'
import { UsageError } from '../cli/flags.js'

/** The rules scripts/serverless/check-params.cjs applies to `serverless package` and `invoke local`. */
const stageRules = createRequire(import.meta.url)('../serverless/check-params.cjs') as {
  paramProblem: (params: Record<string, Value>, options: { deploying: boolean }) => string | undefined
  localStageProblem: (stage: string, stages: readonly string[], cluster: Value) => string | undefined
}

interface EventSourceMappingProperties {
  Topics: string[]
  AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: string }
  BatchSize: number
  MaximumBatchingWindowInSeconds: number
  MaximumRetryAttempts?: Value
  MaximumRecordAgeInSeconds?: Value
  DestinationConfig?: Value
  FunctionResponseTypes?: Value
}

type Value = unknown

interface PrintedService {
  params?: Record<string, Record<string, Value>>
  custom: { checkedParams: Record<string, Value> }
  provider: { environment?: Record<string, Value> }
  functions: Record<string, { environment?: Record<string, Value> }>
  resources: { Resources: Record<string, { Properties: unknown }>; Conditions?: Record<string, Value> }
}

/** Evaluates the few CloudFormation condition functions serverless.yml uses, on resolved params. */
function conditionHolds(name: string, conditions: Record<string, Value>): boolean {
  const evaluate = (node: Value): boolean => {
    const [fn, arg] = Object.entries(node as object)[0] ?? []
    if (fn === 'Fn::Equals') return String((arg as Value[])[0]) === String((arg as Value[])[1])
    if (fn === 'Fn::And') return (arg as Value[]).every(evaluate)
    if (fn === 'Fn::Or') return (arg as Value[]).some(evaluate)
    if (fn === 'Fn::Not') return !evaluate((arg as Value[])[0])
    if (fn === 'Condition') return conditionHolds(arg as string, conditions)
    throw new Error(`unsupported condition function ${fn} in ${name}`)
  }
  return evaluate(conditions[name])
}

/** A value as CloudFormation would resolve Fn::If on the stage's conditions (undefined: AWS::NoValue). */
function resolveIf(value: Value, conditions: Record<string, Value>): Value {
  if (typeof value === 'object' && value !== null && 'Fn::If' in value) {
    const [condition, then, otherwise] = (value as { 'Fn::If': [string, Value, Value] })['Fn::If']
    return resolveIf(conditionHolds(condition, conditions) ? then : otherwise, conditions)
  }
  if (typeof value === 'object' && value !== null && 'Ref' in value && value.Ref === 'AWS::NoValue')
    return undefined
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveIf(item, conditions)]))
  }
  return value
}

/**
 * A value as this machine can know it: a string, or undefined for one CloudFormation sets when deploying
 * (a Ref to a resource, a GetAtt), which a deployed stage's operator scripts look up instead.
 */
function resolve(value: Value, conditions: Record<string, Value>): string | undefined {
  const resolved = resolveIf(value, conditions)
  if (resolved === undefined || (typeof resolved === 'object' && resolved !== null)) return undefined
  return String(resolved)
}

/** Where the mapping records what it gave up on: `kafka://TOPIC`, or a queue of the stack. */
export type OnFailureDestination =
  | { readonly kind: 'kafka'; readonly topic: string }
  | { readonly kind: 'sqs' }

function onFailureOf(destination: Value): OnFailureDestination | undefined {
  const target = (destination as { OnFailure?: { Destination?: Value } } | undefined)?.OnFailure?.Destination
  if (typeof target === 'string' && target.startsWith('kafka://'))
    return { kind: 'kafka', topic: target.slice(8) }
  return target === undefined ? undefined : { kind: 'sqs' }
}

export interface StageSettings {
  readonly name: string
  /** serverless.yml's `cluster` param for the stage: `local` runs against brokers it knows. */
  readonly cluster: string
  /**
   * Every function's environment merged over the provider's, as `invoke local` would set them, without the
   * variables CloudFormation sets only when deploying (those are in `deployTime`).
   */
  readonly environment: Record<string, string>
  readonly deployTime: readonly string[]
  /** The processor's event source mapping, as the stage would deploy it. */
  readonly mapping: {
    readonly topic: string
    readonly consumerGroupId: string
    readonly batchSize: number
    readonly maximumBatchingWindowSeconds: number
    /** -1: retry until the records expire (Lambda's default). */
    readonly maximumRetryAttempts: number
    /** -1: no limit. */
    readonly maximumRecordAgeSeconds: number
    readonly onFailure: OnFailureDestination | undefined
    readonly gaveUpTopic: string | undefined
    readonly reportBatchItemFailures: boolean
  }
}

/** The message of a failed serverless command: its `Error:` block, without the environment lines after it. */
export function serverlessErrorMessage(output: string): string {
  const block = output.split(/^Error:\s*$/m).at(-1) ?? output
  const lines = block
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(Environment|Docs|Support|Bugs):/.test(line))
  return lines.join(' ') || 'failed without a message'
}

/**
 * Checks what the command line asked of serverless.yml: a stage it defines, params it has, values its
 * rules accept, and for a local run (`npm start`) a stage whose brokers are known before deploying.
 */
export function stageProblem(
  service: Pick<PrintedService, 'params' | 'custom'>,
  stage: string,
  params: readonly string[],
  local: boolean,
): string | undefined {
  const stages = Object.keys(service.params ?? {}).filter((name) => name !== 'default')
  if (!stages.includes(stage)) {
    return `--stage "${stage}" is not a stage of serverless.yml (its stages: ${stages.join(', ')})`
  }
  const known = Object.keys(service.params?.default ?? {})
  const unknown = params.map((param) => param.split('=')[0] ?? '').filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    return `--param ${unknown.join(', ')}: not a param of serverless.yml (docs/configuration.md lists them)`
  }
  const checked = service.custom.checkedParams
  return (
    (local ? stageRules.localStageProblem(stage, stages, checked.cluster) : undefined) ??
    stageRules.paramProblem(checked, { deploying: false })
  )
}

/**
 * Reads a stage's resolved settings from `serverless print`, so the local pipeline runs with exactly the
 * configuration `serverless invoke local --stage local` uses; serverless.yml stays the one source.
 * `local`: the stage must run on this machine (`npm start`), not only reach a deployed cluster.
 */
export async function loadStageSettings(
  stage: string,
  params: readonly string[] = [],
  { local = false }: { local?: boolean } = {},
): Promise<StageSettings> {
  let stdout: string
  try {
    ;({ stdout } = await promisify(execFile)(
      'npx',
      [
        '--no-install',
        'serverless',
        'print',
        '--stage',
        stage,
        ...params.map((param) => `--param=${param}`),
        '--format',
        'json',
      ],
      { env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 * 1024 * 1024 },
    ))
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string }
    throw new ConfigError(
      `serverless.yml, stage ${stage}: ${serverlessErrorMessage(`${failed.stdout ?? ''}\n${failed.stderr ?? ''}`)}`,
    )
  }
  const service = JSON.parse(stdout) as PrintedService
  const problem = stageProblem(service, stage, params, local)
  if (problem !== undefined) throw new UsageError(problem)
  const conditions = service.resources.Conditions ?? {}
  const environment: Record<string, string> = {}
  const deployTime = new Set<string>()
  for (const source of [
    service.provider.environment,
    ...Object.values(service.functions).map((fn) => fn.environment),
  ]) {
    for (const [name, value] of Object.entries(source ?? {})) {
      const known = resolve(value, conditions)
      if (known === undefined) {
        if (resolveIf(value, conditions) !== undefined) deployTime.add(name)
        continue
      }
      environment[name] = known
      deployTime.delete(name)
    }
  }
  const mapping = service.resources.Resources.ProcessorEventSourceMapping?.Properties as
    | EventSourceMappingProperties
    | undefined
  const topic = mapping?.Topics[0]
  if (mapping === undefined || topic === undefined) {
    throw new Error('serverless.yml has no ProcessorEventSourceMapping with a topic')
  }
  const onFailure = onFailureOf(resolveIf(mapping.DestinationConfig, conditions))
  return {
    name: stage,
    cluster: String(service.custom.checkedParams.cluster),
    environment,
    deployTime: [...deployTime].filter((name) => environment[name] === undefined),
    mapping: {
      topic,
      consumerGroupId: mapping.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId,
      batchSize: mapping.BatchSize,
      maximumBatchingWindowSeconds: mapping.MaximumBatchingWindowInSeconds,
      maximumRetryAttempts: Number(resolveIf(mapping.MaximumRetryAttempts, conditions) ?? -1),
      maximumRecordAgeSeconds: Number(resolveIf(mapping.MaximumRecordAgeInSeconds, conditions) ?? -1),
      onFailure,
      gaveUpTopic: onFailure?.kind === 'kafka' ? onFailure.topic : undefined,
      reportBatchItemFailures: resolveIf(mapping.FunctionResponseTypes, conditions) !== undefined,
    },
  }
}
