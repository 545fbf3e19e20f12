import { execFileSync } from 'node:child_process'
import { request } from 'node:http'
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, type KafkaMessage } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import type { MskRecord } from '../../lib/msk/event.js'
import { kafkaDestinationMessages } from '../../lib/ops/on-failure-record.js'
import { deadLetterMessage } from '../../lib/processor/dead-letter.js'
import { redriveCommand, replayCommand, shellWord } from '../../scripts/console/commands.js'
import { consolePort } from '../../scripts/console/console.js'
import { FLOW_NODES, type FlowNode, History, type Sample } from '../../scripts/console/history.js'
import { flowCounts, offsetSeries, type Snapshot } from '../../scripts/console/monitor.js'
import { RecordBoard, showBytes } from '../../scripts/console/records.js'
import { startConsoleServer } from '../../scripts/console/server.js'
import { explainFailure, noticesFor, type Situation } from '../../scripts/console/words.js'
import { sinkRow, tableHeader } from '../../scripts/local/table.js'
import { groupPosition, type PipelineTopics } from '../../scripts/ops/pipeline-status.js'
import { bundledModules } from '../support/bundle.js'

const TOPICS: PipelineTopics = {
  source: 'stocks-in',
  sink: 'stocks-out',
  deadLetters: 'stocks-dlq',
  gaveUp: 'stocks-gave-up',
  consumerGroupId: 'msk-lambda-stocks-local-processor',
}

function message(
  offset: number,
  value: string | Buffer | null,
  headers: Record<string, string> = {},
): KafkaMessage {
  return {
    key: Buffer.from(`key-${offset}`),
    value: typeof value === 'string' ? Buffer.from(value) : value,
    timestamp: String(Date.UTC(2026, 0, 2, 3, 4, 5) + offset),
    attributes: 0,
    offset: String(offset),
    size: 0,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
  } as unknown as KafkaMessage
}

const deadLetter = (offset: number, reason: string, extra: Record<string, string> = {}) =>
  message(offset, `bad ${offset}`, {
    'dlq.reason': reason,
    'dlq.detail': `detail ${offset}`,
    'dlq.source.topic': 'stocks-in',
    'dlq.source.partition': '1',
    'dlq.source.offset': String(100 + offset),
    'dlq.dead-lettered-at': '2026-01-02T03:04:05.000Z',
    ...extra,
  })

const counts = (value: number | null): Record<FlowNode, number | null> =>
  Object.fromEntries(FLOW_NODES.map((node) => [node, value])) as Record<FlowNode, number | null>

const sample = (t: number, value: number | null): Sample => ({
  t,
  counts: counts(value),
  rates: counts(null),
  lag: {},
  offsets: {},
})

describe('the processor group position (one definition for status and the console)', () => {
  it('counts the lag from the committed offset, or from the first offset held when nothing is committed', () => {
    expect(groupPosition(0, 84, 72)).toEqual({ committed: 72, lag: 12 })
    expect(groupPosition(10, 84, -1)).toEqual({ committed: null, lag: 74 })
    expect(groupPosition(0, 84, 84)).toEqual({ committed: 84, lag: 0 })
  })
})

describe('the console history', () => {
  it('measures records per second over the window, from the oldest sample in it', () => {
    const history = new History(60_000)
    history.add(sample(100, 0))
    history.add(sample(105, 50))
    history.add(sample(108, 80))
    // At 110 with 100 records, the window of 10 s reaches back to the sample at 100.
    expect(history.ratesAt(110, counts(100), 10_000).sink).toBe(10)
    // A window of 5 s starts at the sample at 105.
    expect(history.ratesAt(110, counts(100), 5_000).sink).toBe(10)
    expect(history.ratesAt(110, counts(90), 3_000).sink).toBe(5)
  })

  it('has no rate without an earlier count, while a count is unknown, or when the count went down', () => {
    const history = new History(60_000)
    expect(history.ratesAt(100, counts(5), 10_000).source).toBeNull()
    history.add(sample(100, null))
    expect(history.ratesAt(101, counts(5), 10_000).source).toBeNull()
    history.add(sample(101, 50))
    expect(history.ratesAt(102, counts(null), 10_000).source).toBeNull()
    expect(history.ratesAt(102, counts(10), 10_000).source).toBeNull()
  })

  it('keeps only the samples of its span', () => {
    const history = new History(10_000)
    for (let t = 0; t <= 30; t += 5) history.add(sample(t, t))
    expect(history.samples.map((s) => s.t)).toEqual([20, 25, 30])
  })
})

describe('the counts of the pipeline picture', () => {
  const offsets = {
    source: [
      { partition: 0, first: 0, end: 84, committed: 72, lag: 12 },
      { partition: 1, first: 5, end: 37, committed: null, lag: 32 },
    ],
    sink: [
      { partition: 0, first: 0, end: 60 },
      { partition: 1, first: 0, end: 10 },
    ],
    deadLetters: [{ partition: 0, first: 0, end: 2 }],
    gaveUp: null,
  }

  it('counts what each topic was written and what the mapping moved past (the end less the lag)', () => {
    expect(flowCounts(offsets)).toEqual({
      producer: 121,
      source: 121,
      mapping: 77,
      processor: 72,
      sink: 70,
      deadLetters: 2,
      gaveUp: null,
    })
    expect(flowCounts(undefined).source).toBeNull()
  })

  it('names every end and committed offset and each lag after its topic and partition', () => {
    const { series, lag } = offsetSeries(TOPICS, offsets)
    expect(series).toEqual({
      'stocks-in-0': 84,
      'stocks-in-0 committed': 72,
      'stocks-in-1': 37,
      'stocks-in-1 committed': null,
      'stocks-out-0': 60,
      'stocks-out-1': 10,
      'stocks-dlq-0': 2,
    })
    expect(lag).toEqual({ 'stocks-in-0': 12, 'stocks-in-1': 32 })
  })
})

describe('the record board', () => {
  it('counts dead letters by reason once per offset, keeps the newest few decoded, and notes redriven ones', () => {
    const board = new RecordBoard(TOPICS, { latest: 2 })
    const letters = [
      deadLetter(0, 'INVALID_JSON'),
      deadLetter(1, 'MISSING_FIELD'),
      deadLetter(2, 'INVALID_JSON'),
      deadLetter(3, 'INVALID_JSON', { 'dlq.redrives': '1' }),
    ]
    board.take('stocks-dlq', 0, letters)
    // A reader that starts over reads some again: nothing is counted twice.
    board.take('stocks-dlq', 0, letters.slice(1))
    const view = board.view()
    expect(view.read.deadLetters).toBe(4)
    expect(view.deadLetters.map(({ label, count }) => [label, count])).toEqual([
      ['INVALID_JSON', 3],
      ['MISSING_FIELD', 1],
    ])
    expect(view.redrivenBefore).toEqual({ INVALID_JSON: 1 })
    const [newest, older, ...rest] = view.deadLetters[0]?.latest ?? []
    expect(rest).toEqual([])
    expect(older?.offset).toBe('2')
    expect(newest).toEqual({
      partition: 0,
      offset: '3',
      key: 'key-3',
      value: 'bad 3',
      reason: 'INVALID_JSON',
      detail: 'detail 3',
      source: 'stocks-in-1@103',
      deadLetteredAt: '2026-01-02T03:04:05.000Z',
      redrives: 1,
      truncated: '',
    })
    expect(board.next('stocks-dlq', 0)).toBe(4)
  })

  it('says what a dead letter cut to fit its topic, from the headers the processor adds', () => {
    const record: MskRecord = {
      topic: 'stocks-in',
      partition: 0,
      offset: 7,
      timestamp: 0,
      timestampType: 'CREATE_TIME',
      key: Buffer.from('k').toString('base64'),
      value: Buffer.from('x'.repeat(5_000)).toString('base64'),
      headers: [],
    }
    const written = deadLetterMessage(record, { reason: 'INVALID_JSON', detail: 'not JSON' }, 0, 2_000)
    const headers = Object.fromEntries((written.headers ?? []).map((h) => [h.key, h.value.toString()]))
    const board = new RecordBoard(TOPICS)
    board.take('stocks-dlq', 0, [deadLetter(0, 'INVALID_JSON', headers)])
    expect(board.view().deadLetters[0]?.latest[0]?.truncated).toBe(
      'cut to fit the topic: value (value was 5000 bytes)',
    )
  })

  it('decodes what the mapping gave up on from the envelope Lambda writes', () => {
    const record: MskRecord = {
      topic: 'stocks-in',
      partition: 1,
      offset: 42,
      timestamp: Date.UTC(2026, 0, 2),
      timestampType: 'CREATE_TIME',
      key: Buffer.from('{"ticker":"AAPL"}').toString('base64'),
      value: Buffer.from('{"ticker":"AAPL","price":1.5}').toString('base64'),
      headers: [],
    }
    const [written] = kafkaDestinationMessages(
      [record],
      {
        requestId: 'r',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:processor',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
        functionError: 'Unhandled',
        at: new Date('2026-01-02T00:00:09.000Z'),
      },
      { eventSourceArn: 'arn:aws:kafka:local', bootstrapServers: '127.0.0.1:9092' },
    )
    const board = new RecordBoard(TOPICS)
    board.take('stocks-gave-up', 0, [
      { ...message(0, written?.value ?? ''), key: written?.key ?? null },
      message(1, 'not an envelope'),
    ])
    const view = board.view()
    expect(view.gaveUp.map(({ label, count }) => [label, count])).toEqual([
      ['RetriesExhausted', 1],
      ['unreadable', 1],
    ])
    expect(view.gaveUp[0]?.latest[0]).toEqual({
      partition: 0,
      offset: '0',
      key: '{"ticker":"AAPL"}',
      value: '{"ticker":"AAPL","price":1.5}',
      condition: 'RetriesExhausted',
      functionError: 'Unhandled',
      source: 'stocks-in-1@42',
      gaveUpAt: '2026-01-02T00:00:09.000Z',
    })
    expect(view.gaveUp[1]?.latest[0]?.value).toBe('not an envelope')
  })

  it('shows the sink as npm start prints it: its header and the latest rows, the newest last', () => {
    const board = new RecordBoard(TOPICS, { sinkRows: 3 })
    const rows = [0, 1, 2, 3, 4].map((i) =>
      message(i, `{"event_time":"2026-01-02 03:04:0${i}.5","ticker":"AAPL","price":4${i}.0}`),
    )
    board.take('stocks-out', 1, rows)
    board.take('stocks-in', 0, [message(7, '{}')])
    const view = board.view()
    expect(view.sinkTable).toEqual({
      header: tableHeader('sink'),
      rows: rows.slice(2).map((row) => sinkRow(1, row)),
    })
    expect(view.lastRecordAt.sink[1]).toBe(new Date(Number(rows[4]?.timestamp)).toISOString())
    expect(view.lastRecordAt.source[0]).toBe(new Date(Number(message(7, '').timestamp)).toISOString())
    expect(view.read).toEqual({ source: 1, sink: 5, deadLetters: 0, gaveUp: 0 })
  })

  it('shows bytes as text when they are UTF-8, else as hex, and cuts long values at a character', () => {
    expect(showBytes(null)).toBe('(null)')
    expect(showBytes(Buffer.from('{"ticker":"ÄÖ"}'))).toBe('{"ticker":"ÄÖ"}')
    expect(showBytes(Buffer.from([0xff, 0x00, 0x41]))).toBe('(binary, 3 bytes) ff0041')
    const long = showBytes(Buffer.from(`${'a'.repeat(399)}é${'b'.repeat(100)}`))
    expect(long).toBe(`${'a'.repeat(399)} … (501 bytes)`)
  })
})

describe('the commands the console suggests', () => {
  const words = (command: string) =>
    execFileSync('sh', ['-c', `set -- ${command.replace(/^npm run \w+ -- /, '')}; printf '%s\\n' "$@"`], {
      encoding: 'utf8',
    })
      .trimEnd()
      .split('\n')

  it('repeats the stage and its params, and quotes what the shell would read', () => {
    expect(redriveCommand({ stage: 'local', params: [] }, 'INVALID_JSON')).toBe(
      'npm run redrive -- --reason INVALID_JSON',
    )
    expect(replayCommand({ stage: 'local', params: [] })).toBe('npm run replay')
    const odd = `it's $HOME; rm -rf *`
    const command = redriveCommand({ stage: 'dev', params: ['clusterArn=arn:aws:kafka:x', 'a b=c'] }, odd)
    expect(words(command)).toEqual([
      '--stage',
      'dev',
      '--param=clusterArn=arn:aws:kafka:x',
      '--param=a b=c',
      '--reason',
      odd,
    ])
    expect(shellWord('plain-word_1.2')).toBe('plain-word_1.2')
  })
})

describe('what the page says, in words', () => {
  const offsets = {
    source: [{ partition: 0, first: 0, end: 10, committed: 10, lag: 0 }],
    sink: [{ partition: 0, first: 0, end: 10 }],
    deadLetters: [{ partition: 0, first: 0, end: 0 }],
    gaveUp: [{ partition: 0, first: 0, end: 0 }],
  }
  const healthy: Situation = {
    brokers: '127.0.0.1:9092',
    local: true,
    topics: TOPICS,
    readAt: new Date(2026, 0, 2, 3, 4, 5),
    offsets,
    group: { state: 'Stable', members: 1 },
  }

  it('says nothing when all is well', () => {
    expect(noticesFor(healthy)).toEqual([])
  })

  it('says when the brokers are unreachable, since when, and when the numbers shown were read', () => {
    const failure = explainFailure(
      new KafkaJSNumberOfRetriesExceeded(
        new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'),
        {
          retryCount: 3,
          retryTime: 100,
        },
      ),
    )
    expect(failure).toEqual({ message: 'Connection error: connect ECONNREFUSED', unreachable: true })
    const [notice] = noticesFor({ ...healthy, failure: { ...failure, since: new Date(2026, 0, 2, 3, 5, 0) } })
    expect(notice).toEqual({
      level: 'error',
      text: 'The Kafka brokers at 127.0.0.1:9092 are unreachable since 03:05:00: Connection error: connect ECONNREFUSED. The numbers below were read at 03:04:05; the page picks up again when the brokers answer.',
    })
    expect(explainFailure(new Error('Not authorized to access group')).unreachable).toBe(false)
  })

  it('names the topics not there yet, and how they come', () => {
    const notices = noticesFor({ ...healthy, offsets: { ...offsets, sink: null, gaveUp: null } })
    expect(notices).toEqual([
      {
        level: 'warning',
        text: 'stocks-out and stocks-gave-up do not exist yet: npm start creates the topics (or npm run kafka:topics).',
      },
    ])
  })

  it('says when the processor group has committed nothing, or has no members while records wait', () => {
    const empty = noticesFor({
      ...healthy,
      offsets: { ...offsets, source: [{ partition: 0, first: 0, end: 5, committed: null, lag: 5 }] },
      group: { state: 'Dead', members: 0 },
    })
    expect(empty.map((n) => n.text)).toEqual([
      'The processor group msk-lambda-stocks-local-processor has committed nothing on stocks-in yet and has no members: no processor has taken a record; 5 records wait on stocks-in.',
    ])
    const idle = noticesFor({
      ...healthy,
      offsets: { ...offsets, source: [{ partition: 0, first: 0, end: 15, committed: 10, lag: 5 }] },
      group: { state: 'Empty', members: 0 },
    })
    expect(idle.map((n) => n.text)).toEqual([
      'No processor is in the group msk-lambda-stocks-local-processor now (Empty); 5 records wait on stocks-in.',
    ])
  })

  it('rejects a port that is not one, naming the setting', () => {
    expect(consolePort(undefined, '--port')).toBeUndefined()
    expect(consolePort('8081', '--port')).toBe(8081)
    expect(() => consolePort('80a', 'CONSOLE_PORT')).toThrow(/^CONSOLE_PORT must be a port number/)
    expect(() => consolePort('70000', '--port')).toThrow(/^--port must be/)
  })
})

describe('the console server', () => {
  function get(url: string, options: { host?: string; method?: string } = {}) {
    return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = request(
          url,
          {
            method: options.method ?? 'GET',
            headers: options.host === undefined ? {} : { host: options.host },
          },
          (res) => {
            let body = ''
            res.on('data', (chunk) => {
              body += chunk
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
          },
        )
        req.on('error', reject)
        req.end()
      },
    )
  }

  it('serves the page and uPlot from node_modules, only to its own host, and streams every snapshot', async () => {
    const listeners = new Set<(snapshot: Snapshot) => void>()
    const first = { at: 'first', sample: sample(1, 1) } as unknown as Snapshot
    const source = {
      snapshot: first as Snapshot | undefined,
      history: [sample(0, 0)],
      subscribe: (listener: (snapshot: Snapshot) => void) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    }
    const server = await startConsoleServer(source)
    try {
      const page = await get(server.url)
      expect(page.status).toBe(200)
      expect(page.body).toContain('<script type="module" src="/console.js"></script>')
      expect(page.headers['content-security-policy']).toContain("script-src 'self'")
      const uplot = await get(`${server.url}vendor/uPlot.esm.js`)
      expect(uplot.status).toBe(200)
      expect(uplot.headers['content-type']).toMatch(/^text\/javascript/)
      expect(uplot.body).toContain('export { uPlot as default }')
      expect((await get(`${server.url}../package.json`)).status).toBe(404)
      expect((await get(server.url, { host: 'attacker.example:80' })).status).toBe(421)
      expect((await get(`${server.url}api/state`, { method: 'POST' })).status).toBe(405)
      expect(JSON.parse((await get(`${server.url}api/state`)).body)).toEqual({
        snapshot: first,
        history: source.history,
      })

      const events = await new Promise<string>((resolve, reject) => {
        const req = request(`${server.url}api/events`, (res) => {
          let body = ''
          res.on('data', (chunk) => {
            body += chunk
            if (body.includes('"at":"first"') && !body.includes('"at":"second"')) {
              for (const listener of listeners) listener({ ...first, at: 'second' } as Snapshot)
            }
            if (body.includes('"at":"second"')) {
              req.destroy()
              resolve(body)
            }
          })
        })
        req.on('error', reject)
        req.end()
      })
      expect(events.split('\n\n').filter(Boolean)).toEqual([
        `event: history\ndata: ${JSON.stringify(source.history)}`,
        `event: snapshot\ndata: ${JSON.stringify(first)}`,
        `event: snapshot\ndata: ${JSON.stringify({ ...first, at: 'second' })}`,
      ])
    } finally {
      await server.close()
    }
    expect(listeners.size).toBe(0)
  })
})

describe("the functions' bundles", () => {
  it.each(['producer', 'processor', 'topics'])(
    '%s: nothing of the console, its chart or its browser',
    async (fn) => {
      const inputs = await bundledModules(fn, '')
      expect(inputs.length).toBeGreaterThan(0)
      expect(inputs.filter((input) => /scripts\/|uplot|playwright/.test(input))).toEqual([])
    },
  )
})
