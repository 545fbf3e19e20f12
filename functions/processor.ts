import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { loadProcessorConfig } from '../lib/config.js'
import { KafkajsSink } from '../lib/kafka/kafkajs-sink.js'
import { logger } from '../lib/log.js'
import { metrics, recordProcessorMetrics } from '../lib/metrics.js'
import { closeConnectionAfterInvocation } from '../lib/middleware/close-connection.js'
import type { MskEvent } from '../lib/msk/event.js'
import { batchResponse, type ProcessSummary } from '../lib/processor/batch-response.js'
import { processMskEvent } from '../lib/processor/process-event.js'
import { flushTraces } from '../lib/tracing/invocation.js'
import { recordProcessorSpans } from '../lib/tracing/processor-spans.js'
import { startTracing } from '../lib/tracing/tracing.js'

// Read once per container; the producer connection is reused by every warm invocation.
const config = loadProcessorConfig()
const sink = new KafkajsSink(config.kafka)
// Lambda does not trace MSK-triggered invocations: the records' upstream contexts decide instead
// (lib/tracing/sampler.ts), and an invocation whose records carry none is not recorded by default.
const tracing = startTracing({ name: 'processor', defaultSampler: 'parentbased_always_off' })

export const handler = middy<MskEvent, ProcessSummary, Error, Context>()
  .use(flushTraces(tracing))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(closeConnectionAfterInvocation(sink, config.kafka.reuseConnection))
  .handler(async (event, context) => {
    const startedAt = Date.now()
    const result = await processMskEvent(event, {
      sink,
      sinkTopic: config.sinkTopic,
      deadLetterTopic: config.deadLetterTopic,
      format: config.format,
      validation: config.validation,
      maxMessageBytes: config.kafka.maxMessageBytes,
    })
    const endedAt = Date.now()
    recordProcessorMetrics(result, endedAt - startedAt)
    recordProcessorSpans(tracing, result, context, { startedAt, endedAt })
    return batchResponse(result, config.reportBatchItemFailures)
  })
