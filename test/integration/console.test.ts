import { randomUUID } from 'node:crypto'
import type { Admin } from 'kafkajs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HeadlessChromium, launchChromium } from '../../scripts/browser/chromium.js'
import { sinkRow, tableHeader } from '../../scripts/local/table.js'
import {
  type BrokerPartition,
  brokerReport,
  type ConsoleProcess,
  InProcessPipeline,
  LOCAL_STAGE,
  OwnBroker,
  startConsoleProcess,
  untilCaughtUp,
} from '../support/console-pipeline.js'

/**
 * The console in a real headless browser (Debian's Chromium driven by Playwright), as `npm run console`
 * serves it, against a broker of its own on free ports: the page's numbers are checked against what the
 * broker reports, read here with an admin; then the broker is stopped and started again.
 */
let broker: OwnBroker
let consoleProcess: ConsoleProcess | undefined
let browser: HeadlessChromium | undefined
let page: Page
let admin: Admin
let pipeline: InProcessPipeline | undefined

beforeAll(async () => {
  broker = await OwnBroker.onFreePorts()
  broker.start()
  admin = broker.client().admin()
  await admin.connect()
  // The console first, before any topic: it must say so, and pick them up when they come.
  consoleProcess = await startConsoleProcess(broker.bootstrap)
  browser = await launchChromium()
  page = await browser.context.newPage()
  await page.goto(consoleProcess.url)
}, 180_000)

afterAll(async () => {
  await pipeline?.stop()
  await browser?.close()
  await consoleProcess?.stop()
  await admin?.disconnect()
  broker?.stop()
}, 120_000)

const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim()
const notices = async () => (await page.locator('#notices p').allTextContents()).join('\n')
const integer = (shown: string) => Number(shown.replaceAll(',', ''))

/** The table of topics and partitions as the page shows it. */
async function pageTable(): Promise<BrokerPartition[]> {
  return page.$$eval('#offsets tbody tr[data-partition]', (rows) =>
    rows.map((row) => {
      const cell = (field: string) => row.querySelector(`[data-field="${field}"]`)?.textContent ?? ''
      const committed = cell('committed')
      const lag = cell('lag')
      return {
        topic: row.getAttribute('data-topic') ?? '',
        partition: Number(cell('partition')),
        first: Number(cell('first')),
        end: Number(cell('end')),
        ...(committed === '' ? {} : { committed: committed === '–' ? null : Number(committed) }),
        ...(lag === '' ? {} : { lag: Number(lag) }),
      }
    }),
  )
}

/** The count each box of the picture shows. */
async function pageFlow() {
  const box = async (node: string) => text(`#flow [data-node="${node}"] .count`)
  const mapping = /^([\d,]+) taken · lag ([\d,]+)$/.exec(await box('mapping'))
  return {
    source: integer((await box('source')).replace(' records', '')),
    sink: integer((await box('sink')).replace(' records', '')),
    deadLetters: integer((await box('deadLetters')).replace(' records', '')),
    gaveUp: integer((await box('gaveUp')).replace(' records', '')),
    processor: integer((await box('processor')).replace(' written', '')),
    taken: integer(mapping?.[1] ?? 'NaN'),
    lag: integer(mapping?.[2] ?? 'NaN'),
  }
}

function flowOf(report: BrokerPartition[]) {
  const total = (topic: string, of: (row: BrokerPartition) => number) =>
    report.filter((row) => row.topic === topic).reduce((sum, row) => sum + of(row), 0)
  const sink = total(LOCAL_STAGE.sink, (row) => row.end)
  const deadLetters = total(LOCAL_STAGE.deadLetters, (row) => row.end)
  return {
    source: total(LOCAL_STAGE.source, (row) => row.end),
    sink,
    deadLetters,
    gaveUp: total(LOCAL_STAGE.gaveUp, (row) => row.end),
    processor: sink + deadLetters,
    taken: total(LOCAL_STAGE.source, (row) => row.committed ?? row.first),
    lag: total(LOCAL_STAGE.source, (row) => row.lag ?? 0),
  }
}

async function deadLetterCount(): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(LOCAL_STAGE.deadLetters)
  return offsets.reduce((sum, p) => sum + Number(p.high), 0)
}

/** Waits until the page shows exactly what the broker reports (the pipeline is still: nothing moves). */
async function expectPageToMatchBroker() {
  const report = await brokerReport(admin)
  await expect.poll(pageTable, { timeout: 30_000 }).toEqual(report)
  await expect.poll(pageFlow, { timeout: 10_000 }).toEqual(flowOf(report))
  return report
}

describe('the console, in a headless browser', () => {
  it('says in words that the topics do not exist yet, and shows them once they do', {
    timeout: 90_000,
  }, async () => {
    await expect
      .poll(notices, { timeout: 30_000 })
      .toContain('stocks-in, stocks-out, stocks-dlq and stocks-gave-up do not exist yet')
    await broker.createTopics()
    await expect.poll(notices, { timeout: 30_000 }).not.toContain('do not exist yet')
    await expect
      .poll(notices, { timeout: 10_000 })
      .toContain(`The processor group ${LOCAL_STAGE.group} has committed nothing on stocks-in yet`)
    expect(await pageTable()).toEqual(await brokerReport(admin))
  })

  it('with records flowing, shows rates, then exactly the offsets, committed offsets and lag the broker reports', {
    timeout: 150_000,
  }, async () => {
    pipeline = new InProcessPipeline(broker.bootstrap)
    await pipeline.startMapping()
    pipeline.startProducing(300)
    await expect
      .poll(async () => text('#flow [data-node="source"] .rate'), { timeout: 30_000 })
      .toMatch(/^[1-9][\d.,]* \/s$/)
    await expect
      .poll(async () => text('#flow [data-node="sink"] .rate'), { timeout: 30_000 })
      .toMatch(/^[1-9][\d.,]* \/s$/)
    // The mapping commits once the processor's writes were acknowledged: a moment after the sink moves.
    await expect.poll(notices, { timeout: 30_000 }).not.toContain('committed nothing')
    await expect.poll(async () => (await pageFlow()).sink, { timeout: 60_000 }).toBeGreaterThanOrEqual(100)

    // A record the processor cannot read, and one it fails on until the mapping gives up on its batch.
    const broken = `broken-${randomUUID()}`
    const [where] = await pipeline.send([{ key: broken, value: '{"ticker":' }])
    // Dead-lettered before the next one comes: in the same batch it would be given up on with it.
    await expect.poll(async () => deadLetterCount(), { timeout: 30_000 }).toBe(1)
    await pipeline.send([{ key: InProcessPipeline.GIVE_UP_KEY, value: '{"ticker":"GIVE"}' }])
    await pipeline.stopProducing()
    await untilCaughtUp(admin)
    const report = await expectPageToMatchBroker()
    // The console only reads: the source topic holds exactly what this test sent.
    expect(flowOf(report).source).toBe(pipeline.produced)
    expect(flowOf(report).gaveUp).toBeGreaterThan(0)

    const letters = page.locator('article[data-reason="INVALID_JSON"]')
    await expect.poll(async () => letters.locator('.count').textContent(), { timeout: 10_000 }).toBe('1')
    const row = letters.locator('tbody tr').first()
    expect(await row.locator('[data-field="key"]').textContent()).toBe(broken)
    expect(await row.locator('[data-field="value"]').textContent()).toBe('{"ticker":')
    expect(await row.locator('[data-field="source"]').textContent()).toBe(
      `${LOCAL_STAGE.source}-${where?.partition}@${where?.offset}`,
    )
    expect(await letters.locator('code').textContent()).toBe('npm run redrive -- --reason INVALID_JSON')

    const gaveUp = page.locator('article[data-condition="RetriesExhausted"]')
    expect(integer((await gaveUp.locator('.count').textContent()) ?? '')).toBe(flowOf(report).gaveUp)
    expect(await page.locator('#gave-up .command code').textContent()).toBe('npm run replay')
    expect(await gaveUp.locator('[data-field="functionError"]').first().textContent()).toBe('Unhandled')
  })

  it('shows the live sink as npm start prints it', { timeout: 60_000 }, async () => {
    const sinkRows = new Set<string>()
    const groupId = `console-test-${randomUUID()}`
    const consumer = broker.client().consumer({ groupId })
    const ends = (await admin.fetchTopicOffsets(LOCAL_STAGE.sink)).reduce((sum, p) => sum + Number(p.high), 0)
    await consumer.connect()
    await consumer.subscribe({ topic: LOCAL_STAGE.sink, fromBeginning: true })
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          sinkRows.add(sinkRow(partition, message))
          if (sinkRows.size >= ends) resolve()
        },
      })
    })
    await consumer.disconnect()
    await admin.deleteGroups([groupId]).catch(() => undefined)
    const [header, rule, ...rows] = ((await page.locator('#sink-table').textContent()) ?? '').split('\n')
    expect(`${header}\n${rule}`).toBe(tableHeader('sink'))
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(sinkRows).toContain(row)
  })

  it('says the brokers are unreachable while the broker is down, and picks up again when it is back', {
    timeout: 240_000,
  }, async () => {
    broker.stop(true)
    await expect
      .poll(async () => page.locator('#notices p[role="alert"]').allTextContents(), { timeout: 60_000 })
      .toEqual([
        expect.stringMatching(
          new RegExp(
            `^The Kafka brokers at ${broker.bootstrap} are unreachable since \\d\\d:\\d\\d:\\d\\d: .+ The numbers below were read at \\d\\d:\\d\\d:\\d\\d; the page picks up again when the brokers answer\\.$`,
          ),
        ),
      ])
    broker.start()
    await expect
      .poll(async () => page.locator('#notices p[role="alert"]').count(), { timeout: 90_000 })
      .toBe(0)
    // New records after the restart: the page follows them again.
    await pipeline?.send([{ key: 'after-restart', value: '{"ticker":' }])
    await untilCaughtUp(admin, 90_000)
    await expectPageToMatchBroker()
    await expect
      .poll(async () => page.locator('article[data-reason="INVALID_JSON"] .count').textContent(), {
        timeout: 30_000,
      })
      .toBe('2')
  })

  it('leaves no consumer group of its own behind when it stops', { timeout: 60_000 }, async () => {
    const groups = async () => (await admin.listGroups()).groups.map((g) => g.groupId)
    expect((await groups()).filter((g) => g.startsWith('msk-lambda-stocks-console-'))).toHaveLength(1)
    expect(await consoleProcess?.stop()).toBe(0)
    consoleProcess = undefined
    expect((await groups()).filter((g) => g.startsWith('msk-lambda-stocks-console-'))).toEqual([])
  })
})
