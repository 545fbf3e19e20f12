/**
 * OpenTelemetry semantic conventions' attribute names the spans use. The messaging and FaaS ones are
 * still incubating, and @opentelemetry/semantic-conventions asks that runtime code copy those rather
 * than import its `incubating` entry point (its README), so they are copied here, as of 1.45.
 */
export const ATTR = {
  /** The conventions now name it `messaging.system.name`; both are set while backends read either. */
  messagingSystem: 'messaging.system',
  messagingSystemName: 'messaging.system.name',
  messagingDestinationName: 'messaging.destination.name',
  messagingDestinationPartitionId: 'messaging.destination.partition.id',
  messagingBatchMessageCount: 'messaging.batch.message_count',
  messagingOperationType: 'messaging.operation.type',
  messagingOperationName: 'messaging.operation.name',
  messagingConsumerGroupName: 'messaging.consumer.group.name',
  faasTrigger: 'faas.trigger',
  faasInvocationId: 'faas.invocation.id',
  faasColdstart: 'faas.coldstart',
  faasName: 'faas.name',
  faasVersion: 'faas.version',
  faasMaxMemory: 'faas.max_memory',
  cloudProvider: 'cloud.provider',
  cloudPlatform: 'cloud.platform',
  cloudRegion: 'cloud.region',
  cloudResourceId: 'cloud.resource_id',
  errorType: 'error.type',
} as const

/**
 * The project's own attributes, under its own prefix as the conventions ask of application attributes:
 * what became of a partition batch's records, and why records were dead-lettered.
 */
export const STOCKS = {
  firstOffset: 'stocks.offset.first',
  written: 'stocks.records.written',
  deadLettered: 'stocks.records.dead_lettered',
  /** Followed by the reason (`stocks.dead_letter.INVALID_JSON`): the records dead-lettered for it. */
  deadLetterReasonPrefix: 'stocks.dead_letter.',
  notAcknowledged: 'stocks.records.not_acknowledged',
  /** The distinct upstream contexts the records carried; the span links at most MAX_LINKS of them. */
  upstreamContexts: 'stocks.upstream.contexts',
  batchNumber: 'stocks.batch.number',
  /** The source partitions a producer batch's records landed on. */
  partitions: 'stocks.partitions',
} as const
