import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import middy from '@middy/core'
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda'
import { loadKafkaConfig } from '../lib/config.js'
import { createBrokerResolver } from '../lib/kafka/brokers.js'
import { createKafka } from '../lib/kafka/client.js'
import { logger } from '../lib/log.js'
import {
  type CustomResourceResponse,
  clusterTopicsDeps,
  handleTopicsEvent,
} from '../lib/topics/custom-resource.js'

const config = loadKafkaConfig()
// The one function that asks the MSK API for the brokers; the stack passes them on to the others.
const brokers = createBrokerResolver(config)
const kafka = createKafka(config, brokers)

export const handler = middy<CloudFormationCustomResourceEvent, CustomResourceResponse, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler((event, context) =>
    handleTopicsEvent(
      event,
      clusterTopicsDeps(kafka, brokers, Math.max(1_000, context.getRemainingTimeInMillis() - 10_000)),
    ),
  )
