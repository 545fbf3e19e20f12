import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import { logger } from './log.js'
import type { ProcessResult } from './processor/process-event.js'
import type { ProduceSummary } from './producer/produce-batches.js'
import { SERVICE_NAME } from './service.js'

/**
 * CloudWatch metrics in the Embedded Metric Format (Powertools Metrics), flushed by the `logMetrics`
 * middleware at the end of each invocation. serverless.yml names the namespace once
 * (POWERTOOLS_METRICS_NAMESPACE) and reads these metric names in its alarms and dashboard. Every metric
 * carries the dimensions service and stage, so two stages in one account and region stay apart.
 */
export const metrics = new Metrics({
  serviceName: SERVICE_NAME,
  // Its own warnings (an invocation with no metrics) as JSON log lines, like every other line.
  logger,
  ...(process.env.STAGE === undefined ? {} : { defaultDimensions: { stage: process.env.STAGE } }),
})

export function recordProcessorMetrics(summary: ProcessResult, processingMs: number): void {
  metrics.addMetric('RecordsIn', MetricUnit.Count, summary.records)
  metrics.addMetric('RecordsOut', MetricUnit.Count, summary.written)
  metrics.addMetric('RecordsDeadLettered', MetricUnit.Count, summary.deadLettered)
  metrics.addMetric('BatchProcessingTime', MetricUnit.Milliseconds, processingMs)
  if (summary.oldestRecordAgeMs !== undefined) {
    metrics.addMetric('BatchLatency', MetricUnit.Milliseconds, summary.oldestRecordAgeMs)
  }
}

export function recordProducerMetrics(summary: ProduceSummary): void {
  metrics.addMetric('RecordsProduced', MetricUnit.Count, summary.recordsSent)
  metrics.addMetric('BatchesProduced', MetricUnit.Count, summary.batchesSent)
  metrics.addMetric('BatchesSkipped', MetricUnit.Count, summary.batchesSkipped)
}
