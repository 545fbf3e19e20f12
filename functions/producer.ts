import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import middy from '@middy/core'
import type { Context, ScheduledEvent } from 'aws-lambda'
import { loadProducerConfig } from '../lib/config.js'
import { KafkajsSink } from '../lib/kafka/kafkajs-sink.js'
import { logger } from '../lib/log.js'
import { metrics, recordProducerMetrics } from '../lib/metrics.js'
import { closeConnectionAfterInvocation } from '../lib/middleware/close-connection.js'
import { type ProduceSummary, produceStockBatches } from '../lib/producer/produce-batches.js'
import { invocationContext, traceInvocation } from '../lib/tracing/invocation.js'
import { traceProducerBatches } from '../lib/tracing/producer-spans.js'
import { startTracing } from '../lib/tracing/tracing.js'

// Read once per container; the producer connection is reused by every warm invocation.
const config = loadProducerConfig()
const sink = new KafkajsSink(config.kafka)
// The schedule's invocations are sampled by Lambda (its segment is the parent); a root span, by default.
const tracing = startTracing({ name: 'producer', defaultSampler: 'parentbased_always_on' })

export const handler = middy<ScheduledEvent, ProduceSummary, Error, Context>()
  .use(traceInvocation(tracing, 'timer'))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(closeConnectionAfterInvocation(sink, config.kafka.reuseConnection))
  .handler(async (_event, context) => {
    const summary = await produceStockBatches({
      sink,
      sourceTopic: config.sourceTopic,
      batchesPerInvocation: config.batchesPerInvocation,
      batchIntervalMs: config.batchIntervalMs,
      sendBudgetMs: config.kafka.sendTimeoutMs,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      traceBatch: traceProducerBatches(tracing, invocationContext(context)),
    })
    recordProducerMetrics(summary)
    return summary
  })
