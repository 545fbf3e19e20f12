/**
 * An esbuild plugin for functions that only produce to Kafka (the producer and the processor: Lambda's
 * event source mapping does their consuming). kafkajs is CommonJS, so esbuild cannot drop what they never
 * call: its consumer, its admin client, and the protocol requests only those use (40% of kafkajs, 110 KB
 * minified). This plugin bundles a stub in their place that throws if it is ever reached, which
 * keeps their bundles under 300 KB. kafkajs 2.2.4 is its last release, so these paths are stable; a test
 * checks they still exist and that the bundled functions produce on a real broker.
 */
const path = require('node:path')

/** The protocol requests an idempotent (or transactional) producer sends; every other one is stubbed. */
const PRODUCER_REQUESTS = new Set([
  'apiVersions',
  'saslHandshake',
  'saslAuthenticate',
  'metadata',
  'initProducerId',
  'produce',
  // Transactions: not used here, but small, and what a transactional producer would need.
  'findCoordinator',
  'addPartitionsToTxn',
  'addOffsetsToTxn',
  'endTxn',
  'txnOffsetCommit',
])

const KAFKAJS_SRC = `${path.sep}kafkajs${path.sep}src${path.sep}`

const notBundled = (what) =>
  `throw new Error(${JSON.stringify(`kafkajs ${what} is not bundled into this function (scripts/build/kafkajs-producer-only.cjs)`)})`

/** @param {{ entries: string[] }} options entry files (relative to the project) to build producer-only */
function kafkajsProducerOnly({ entries }) {
  return {
    name: 'kafkajs-producer-only',
    setup(build) {
      const entryPoints = Object.values(build.initialOptions.entryPoints ?? {}).map((entry) =>
        path.normalize(typeof entry === 'string' ? entry : entry.in),
      )
      if (!entryPoints.some((entry) => entries.some((wanted) => entry.endsWith(path.normalize(wanted)))))
        return

      build.onResolve({ filter: /^\.\/(consumer|admin)$/ }, (args) =>
        args.importer.endsWith(`${KAFKAJS_SRC}index.js`)
          ? { path: args.path, namespace: 'kafkajs-client-stub' }
          : undefined,
      )
      build.onResolve({ filter: /^\.\/[A-Za-z]+$/ }, (args) =>
        args.importer.endsWith(`${KAFKAJS_SRC}protocol${path.sep}requests${path.sep}index.js`) &&
        !PRODUCER_REQUESTS.has(args.path.slice(2))
          ? { path: args.path, namespace: 'kafkajs-request-stub' }
          : undefined,
      )
      build.onLoad({ filter: /.*/, namespace: 'kafkajs-client-stub' }, (args) => ({
        contents: `module.exports = () => { ${notBundled(`'${args.path.slice(2)}'`)} }`,
        loader: 'js',
      }))
      // The shape kafkajs gives a request it does not implement: no versions, and a protocol that throws.
      build.onLoad({ filter: /.*/, namespace: 'kafkajs-request-stub' }, (args) => ({
        contents: `module.exports = { versions: [], protocol: () => { ${notBundled(`request '${args.path.slice(2)}'`)} } }`,
        loader: 'js',
      }))
    },
  }
}

module.exports = { kafkajsProducerOnly, PRODUCER_REQUESTS }
