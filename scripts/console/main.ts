/**
 * The pipeline's web console beside any stage `npm run status` reaches:
 *   npm run console -- [--stage local] [--param k=v ...] [--port N] [--interval SECONDS]
 *
 * Serves a page on 127.0.0.1 (a free port unless --port or CONSOLE_PORT names one) that shows the
 * pipeline as a picture with rates and counts, offsets and lag per partition over the last minutes, the
 * dead letters by reason and what the mapping gave up on, with the commands that send them back, and the
 * live sink. It only reads. Ctrl-C stops it.
 */
// First: the Kafka clients' logs go to a file, the terminal shows the address.
import '../local/quiet-logs.js'
import { parseArgs } from 'node:util'
import { LOG_FILE } from '../local/quiet-logs.js'
import { connectStage, STAGE_OPTIONS } from '../ops/stage-connection.js'
import { consolePort, startConsole } from './console.js'

const { values: args } = parseArgs({
  options: {
    ...STAGE_OPTIONS,
    port: { type: 'string' },
    interval: { type: 'string', default: '1' },
  },
})
const intervalMs = Number(args.interval) * 1000
let port: number | undefined
try {
  port = consolePort(args.port, '--port')
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`)
  process.exit(2)
}
if (!(intervalMs >= 200 && intervalMs <= 60_000)) {
  process.stderr.write(`--interval must be from 0.2 to 60 seconds, not "${args.interval}"\n`)
  process.exit(2)
}

const { stage, processor, kafka } = await connectStage(args.stage, args.param, 'console')
const pipelineConsole = await startConsole({
  stageName: args.stage,
  params: args.param,
  stage,
  processor,
  kafka,
  intervalMs,
  ...(port === undefined ? {} : { port }),
})
process.stdout.write(
  `console: ${pipelineConsole.url} (stage ${args.stage}); logs in ${LOG_FILE}; Ctrl-C stops\n`,
)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await pipelineConsole.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
