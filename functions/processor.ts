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
import { invocationSpan, traceInvocation } from '../lib/tracing/middleware.js'
import { carriesSampledTrace, traceProcessing } from '../lib/tracing/partition-batches.js'
import { tracer } from '../lib/tracing/tracer.js'

// Read once per container; the producer connection is reused by every warm invocation.
const config = loadProcessorConfig()
const sink = new KafkajsSink(config.kafka)

export const handler = middy<MskEvent, ProcessSummary, Error, Context>()
  // Lambda does not trace MSK-triggered invocations: the producer's sampling decision, carried by the
  // records, decides instead.
  .use(traceInvocation(tracer, carriesSampledTrace))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(closeConnectionAfterInvocation(sink, config.kafka.reuseConnection))
  .handler(async (event, context) => {
    const startedAt = Date.now()
    const tracing = { sink, deadLetterTopic: config.deadLetterTopic, name: context.functionName }
    const result = await traceProcessing(invocationSpan(context), event, tracing, (tracedSink) =>
      processMskEvent(event, {
        sink: tracedSink,
        sinkTopic: config.sinkTopic,
        deadLetterTopic: config.deadLetterTopic,
        format: config.format,
        validation: config.validation,
        maxMessageBytes: config.kafka.maxMessageBytes,
      }),
    )
    recordProcessorMetrics(result, Date.now() - startedAt)
    return batchResponse(result, config.reportBatchItemFailures)
  })
