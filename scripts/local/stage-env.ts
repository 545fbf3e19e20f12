import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

interface PrintedService {
  provider: { environment?: Record<string, string> }
  functions: Record<string, { environment?: Record<string, string>; events?: Record<string, unknown>[] }>
}

export interface StageSettings {
  /** Every function's environment merged over the provider's, as `invoke local` would set them. */
  readonly environment: Record<string, string>
  readonly msk: { topic: string; consumerGroupId: string; batchSize: number; maximumBatchingWindow: number }
}

/**
 * Reads a stage's resolved settings from `serverless print`, so the local pipeline runs with exactly the
 * configuration `serverless invoke local --stage local` uses; serverless.yml stays the one source.
 */
export async function loadStageSettings(stage: string): Promise<StageSettings> {
  const { stdout } = await promisify(execFile)(
    'npx',
    ['--no-install', 'serverless', 'print', '--stage', stage, '--format', 'json'],
    { env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 * 1024 * 1024 },
  )
  const service = JSON.parse(stdout) as PrintedService
  const environment = { ...service.provider.environment }
  for (const fn of Object.values(service.functions)) Object.assign(environment, fn.environment)
  const msk = service.functions.processor?.events?.find((event) => 'msk' in event)?.msk
  if (msk === undefined) throw new Error('serverless.yml has no msk event on the processor')
  return { environment, msk: msk as StageSettings['msk'] }
}
