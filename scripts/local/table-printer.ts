import { randomUUID } from 'node:crypto'
import type { Consumer } from 'kafkajs'
import type { KafkaConnectionConfig } from '../../lib/config.js'
import { createBrokerResolver } from '../../lib/kafka/broker-lookup.js'
import { createKafka } from '../../lib/kafka/client.js'
import { ROW_OF, type TableKind, tableHeader } from './table.js'

export interface TablePrinterOptions {
  readonly clientId: string
  readonly fromBeginning: boolean
  readonly kind: TableKind
  readonly topic: string
  /** Where the table's lines go: stdout, apart from any log. */
  readonly write: (line: string) => void
}

/**
 * Prints what arrives on a topic as a live table (the sink, the dead letters with their reason, or what
 * the event source mapping gave up on), from a consumer group of its own; resolves once the consumer has
 * joined, so nothing written after that is missed.
 */
export async function startTablePrinter(
  kafka: KafkaConnectionConfig,
  options: TablePrinterOptions,
): Promise<Consumer> {
  const printer = createKafka({ ...kafka, clientId: options.clientId }, createBrokerResolver(kafka)).consumer(
    {
      groupId: `${options.clientId}-${randomUUID()}`,
    },
  )
  const joined = new Promise((resolve) => printer.on(printer.events.GROUP_JOIN, resolve))
  await printer.connect()
  await printer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning })
  options.write(tableHeader(options.kind))
  const rowOf = ROW_OF[options.kind]
  await printer.run({
    eachMessage: async ({ partition, message }) => {
      options.write(rowOf(partition, message))
    },
  })
  await joined
  return printer
}
