/**
 * `npm run console:screenshot [-- docs/console.png]`: the console's picture for the docs, made with the
 * browser test's tooling. A broker of its own on free ports, the local stage's pipeline in process for
 * about a minute and a half (a pause of the mapping, so the lag rises and falls; records dead-lettered
 * for two reasons; a batch given up on), the console as `npm run console` serves it, and a full-page
 * screenshot from headless Chromium. Everything it started is stopped and removed afterwards.
 */
// First: the in-process functions' and clients' logs go to a file, not the terminal.
import '../../scripts/local/quiet-logs.js'
import { setTimeout as sleep } from 'node:timers/promises'
import { launchChromium } from '../../scripts/browser/chromium.js'
import { InProcessPipeline, OwnBroker, startConsoleProcess, untilCaughtUp } from './console-pipeline.js'

const target = process.argv[2] ?? 'docs/console.png'
const broker = await OwnBroker.onFreePorts()
broker.start()
const admin = broker.client().admin()
let pipeline: InProcessPipeline | undefined
let consoleProcess: Awaited<ReturnType<typeof startConsoleProcess>> | undefined
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined
try {
  await admin.connect()
  await broker.createTopics()
  consoleProcess = await startConsoleProcess(broker.bootstrap)
  pipeline = new InProcessPipeline(broker.bootstrap)
  await pipeline.startMapping()
  pipeline.startProducing(1_000)
  await sleep(20_000)
  await pipeline.send([
    { key: 'broken', value: '{"ticker":' },
    {
      key: '{"ticker":"AAPL"}',
      value: '{"event_time":"2026-01-02 03:04:05.0","ticker":"AAPL","price":"12.5"}',
    },
  ])
  // The mapping away for a while: records wait, the lag rises; back, it takes them.
  await sleep(5_000)
  await pipeline.stopMapping()
  await sleep(20_000)
  await pipeline.startMapping()
  await sleep(15_000)
  await pipeline.send([{ key: InProcessPipeline.GIVE_UP_KEY, value: '{"ticker":"GIVE"}' }])
  await sleep(15_000)
  await pipeline.send([{ key: 'half', value: '{"ticker":"MSFT","price":' }])
  await sleep(10_000)
  await untilCaughtUp(admin)

  browser = await launchChromium()
  const page = await browser.context.newPage()
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.goto(consoleProcess.url)
  await page.locator('article[data-reason]').first().waitFor({ timeout: 30_000 })
  await sleep(3_000)
  await page.screenshot({ path: target, fullPage: true })
  process.stdout.write(`wrote ${target}\n`)
} finally {
  await pipeline?.stop()
  await browser?.close()
  await consoleProcess?.stop()
  await admin.disconnect()
  broker.stop()
}
process.exit(0)
