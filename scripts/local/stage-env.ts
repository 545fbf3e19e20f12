import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

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

function resolve(value: Value, conditions: Record<string, Value>): string {
  return String(resolveIf(value, conditions))
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
  /** Every function's environment merged over the provider's, as `invoke local` would set them. */
  readonly environment: Record<string, string>
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

/**
 * Reads a stage's resolved settings from `serverless print`, so the local pipeline runs with exactly the
 * configuration `serverless invoke local --stage local` uses; serverless.yml stays the one source.
 */
export async function loadStageSettings(
  stage: string,
  params: readonly string[] = [],
): Promise<StageSettings> {
  const { stdout } = await promisify(execFile)(
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
  )
  const service = JSON.parse(stdout) as PrintedService
  const conditions = service.resources.Conditions ?? {}
  const environment: Record<string, string> = {}
  for (const source of [
    service.provider.environment,
    ...Object.values(service.functions).map((fn) => fn.environment),
  ]) {
    for (const [name, value] of Object.entries(source ?? {})) environment[name] = resolve(value, conditions)
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
    environment,
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
