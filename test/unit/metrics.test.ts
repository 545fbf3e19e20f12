import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  vi.resetModules()
})

describe('the custom metrics', () => {
  it('carry the stage beside the service, in the namespace serverless.yml names', async () => {
    vi.stubEnv('STAGE', 'dev')
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'msk-lambda-stocks')
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'MskLambdaStocks')
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false')
    const lines: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk))
      return true
    })
    vi.spyOn(console, 'log').mockImplementation((line) => {
      lines.push(String(line))
    })
    const { metrics, recordProducerMetrics } = await import('../../lib/metrics.js')
    recordProducerMetrics({ batchesSent: 1, batchesSkipped: 0, recordsSent: 17, partitions: {} })
    metrics.publishStoredMetrics()
    const emf = lines.map((line) => JSON.parse(line)).find((entry) => entry._aws !== undefined)
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'MskLambdaStocks',
      Dimensions: [expect.arrayContaining(['service', 'stage'])],
    })
    expect(emf).toMatchObject({ service: 'msk-lambda-stocks', stage: 'dev', RecordsProduced: 17 })
  })
})
