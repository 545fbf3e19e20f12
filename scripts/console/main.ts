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
import '../cli/exit.js'
import { explainFailures, nameCommand } from '../cli/exit.js'
import { cannotReach, stageBrokerAdvice } from '../cli/failure.js'
import { logsNote } from '../local/quiet-logs.js'
import { parseConsoleFlags } from '../ops/flags.js'
import { connectStage } from '../ops/stage-connection.js'
import { startConsole } from './console.js'

nameCommand('npm run console')
const args = parseConsoleFlags(process.argv.slice(2))
if (args.help) {
  process.stdout.write(`usage: ${args.usage}\n`)
  process.exit(0)
}
const { stage, processor, kafka } = await connectStage(args.stage, args.params, 'console')
explainFailures((error) =>
  cannotReach(error) ? stageBrokerAdvice(stage.cluster, processor.kafka.bootstrapServers) : undefined,
)
const pipelineConsole = await startConsole({
  stageName: args.stage,
  params: args.params,
  stage,
  processor,
  kafka,
  intervalMs: args.intervalMs,
  ...(args.port === undefined ? {} : { port: args.port }),
})
process.stdout.write(`console: ${pipelineConsole.url} (stage ${args.stage})${logsNote()}; Ctrl-C stops\n`)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await pipelineConsole.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
