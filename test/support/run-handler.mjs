// Runs one invocation of a packaged Lambda bundle in this fresh Node process, as a Lambda cold start does:
// `node run-handler.mjs BUNDLE_FILE EXPORT TIMEOUT_MS` with the event as JSON on stdin; prints the
// handler's result as JSON, or exits 1 with the error. The environment is the function's.
import { pathToFileURL } from 'node:url'

const [bundle, exportName = 'handler', timeoutMs = '60000'] = process.argv.slice(2)
let input = ''
for await (const chunk of process.stdin) input += chunk
const deadline = Date.now() + Number(timeoutMs)
const context = {
  functionName: 'packaged',
  awsRequestId: 'local-invocation',
  getRemainingTimeInMillis: () => deadline - Date.now(),
}
try {
  const module = await import(pathToFileURL(bundle).href)
  const result = await module[exportName](JSON.parse(input), context)
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
}
