import { describe, expect, it } from 'vitest'
import { connectedAdmin, createTestTopics, readTopic, testKafka } from '../support/kafka.js'
import { invokeLocal, resultOf } from '../support/serverless.js'

/** The flink format's own validation mode, `validation=flink`, through the function as users run it. */
const kafka = testKafka()
const admin = connectedAdmin(kafka)

describe('serverless invoke local --stage local --param validation=flink', () => {
  it('processor --param validation=flink: reads as the Flink job did, dead-lettering the ISO time it failed on', async () => {
    const [sink, dlq] = (await createTestTopics(admin(), ['cli-flink-out', 'cli-flink-dlq'])) as [
      string,
      string,
    ]
    const result = await invokeLocal(
      'processor',
      'events/msk.json',
      { SINK_TOPIC: sink, DEAD_LETTER_TOPIC: dlq },
      'local',
      {},
      { validation: 'flink' },
    )
    expect(result.code, result.stderr).toBe(0)
    expect(resultOf(result.stdout)).toMatchObject({ records: 5, written: 4, deadLettered: 1 })
    const [deadLetter] = await readTopic(kafka, dlq, 1)
    expect(deadLetter?.headers['dlq.reason']).toBe('INVALID_EVENT_TIME')
    expect(JSON.parse(deadLetter?.value ?? '{}').event_time).toBe('2023-08-08T04:22:02.411')
  })
})
