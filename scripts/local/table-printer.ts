import { randomUUID } from 'node:crypto'
import type { Consumer } from 'kafkajs'
import type { ProcessorConfig } from '../../lib/config.js'
import { createBrokerResolver } from '../../lib/kafka/brokers.js'
import { createKafka } from '../../lib/kafka/client.js'
import { deadLetterRow, sinkRow, tableHeader } from './table.js'

/**
 * Prints what arrives on the sink and dead-letter topics as a live table, from a consumer group of its
 * own; resolves once the consumer has joined, so nothing written after that is missed.
 */
export async function startTablePrinter(
  config: ProcessorConfig,
  options: { readonly clientId: string; readonly fromBeginning: boolean },
): Promise<Consumer> {
  const printer = createKafka(
    { ...config.kafka, clientId: options.clientId },
    createBrokerResolver(config.kafka),
  ).consumer({ groupId: `${options.clientId}-${randomUUID()}` })
  const joined = new Promise((resolve) => printer.on(printer.events.GROUP_JOIN, resolve))
  await printer.connect()
  await printer.subscribe({
    topics: [config.sinkTopic, config.deadLetterTopic],
    fromBeginning: options.fromBeginning,
  })
  console.log(tableHeader())
  await printer.run({
    eachMessage: async ({ topic, partition, message }) => {
      console.log(
        topic === config.sinkTopic ? sinkRow(partition, message) : deadLetterRow(partition, message),
      )
    },
  })
  await joined
  return printer
}
