import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import type { Kafka } from 'kafkajs'
import type { MskRecord } from '../../lib/msk/event.js'
import { type GaveUpRange, gaveUpRanges, type ReplayFilter } from '../../lib/ops/on-failure-record.js'
import { type ReprocessDeps, reprocessAndCount } from './reprocess.js'
import { fetchRecords } from './topic-reader.js'

export interface QueueReplayTotals {
  messages: number
  selected: number
  written: number
  deadLettered: number
  unreadable: string[]
  byCondition: Record<string, number>
}

function selected(range: GaveUpRange, filter: ReplayFilter): boolean {
  return (
    (filter.since === undefined || range.at >= filter.since) &&
    (filter.until === undefined || range.at < filter.until) &&
    (filter.partitions === undefined ||
      filter.partitions.length === 0 ||
      filter.partitions.includes(range.partition))
  )
}

/** The source records of the ranges, read back from their topic (while its retention keeps them). */
async function fetchRanges(kafka: Kafka, ranges: readonly GaveUpRange[]): Promise<MskRecord[]> {
  const records: MskRecord[] = []
  for (const topic of new Set(ranges.map((range) => range.topic))) {
    const ofTopic = ranges.filter((range) => range.topic === topic)
    records.push(
      ...(await fetchRecords(
        kafka,
        topic,
        ofTopic.map((range) => ({
          partition: range.partition,
          from: range.firstOffset,
          to: range.lastOffset + 1,
        })),
      )),
    )
  }
  return records
}

/**
 * Replays what an SQS on-failure destination recorded: each message names offset ranges of the source
 * topic (Lambda's `recordsInfo`), which are read back and sent through the processor; the message is
 * deleted only after the sink acknowledged them, so a replay stopped halfway leaves it on the queue, to
 * come back after its visibility timeout. A message the filter does not select stays on the queue.
 */
export async function replayFromQueue(options: {
  client: SQSClient
  queueUrl: string
  kafka: Kafka
  filter: ReplayFilter
  dryRun: boolean
  deps: ReprocessDeps
  onProgress: (records: number) => void
}): Promise<QueueReplayTotals> {
  const { client, queueUrl } = options
  const totals: QueueReplayTotals = {
    messages: 0,
    selected: 0,
    written: 0,
    deadLettered: 0,
    unreadable: [],
    byCondition: {},
  }
  const seen = new Set<string>()
  const release: string[] = []
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 300,
      }),
    )
    const fresh = Messages.filter((message) => !seen.has(message.MessageId ?? ''))
    if (fresh.length === 0) break
    for (const message of fresh) {
      seen.add(message.MessageId ?? '')
      totals.messages++
      let ranges: GaveUpRange[]
      try {
        ranges = gaveUpRanges(message.Body ?? '')
      } catch (error) {
        totals.unreadable.push(`${message.MessageId}: ${(error as Error).message}`)
        release.push(message.ReceiptHandle ?? '')
        continue
      }
      const chosen = ranges.filter((range) => selected(range, options.filter))
      if (options.dryRun || chosen.length < ranges.length) release.push(message.ReceiptHandle ?? '')
      if (chosen.length === 0) continue
      const records = await fetchRanges(options.kafka, chosen)
      for (const range of chosen) {
        totals.byCondition[range.condition] =
          (totals.byCondition[range.condition] ?? 0) + range.lastOffset - range.firstOffset + 1
      }
      options.onProgress(records.length)
      await reprocessAndCount(records, options.deps, totals, options.dryRun)
      if (options.dryRun) continue
      if (chosen.length === ranges.length) {
        await client.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        )
      }
    }
  }
  // What was only looked at (a dry run, a filter, unreadable) is visible again at once.
  for (const handle of release) {
    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }),
    )
  }
  return totals
}
