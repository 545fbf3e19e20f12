/**
 * An esbuild plugin for aws-msk-iam-sasl-signer-js, which lib/kafka/iam-token.ts calls as
 * `generateAuthTokenFromCredentialsProvider` with the function's credentials. The package is CommonJS, so
 * esbuild keeps everything it requires, reached or not:
 *
 * - an STS client (used only by its `awsDebugCreds` option, which logs the caller's identity) and the SDK's
 *   whole credential chain (used only by `generateAuthToken`, `generateAuthTokenFromProfile` and
 *   `generateAuthTokenFromRole`): 404 KB more in the producer's and processor's bundles, and about twice
 *   their module init (docs/deploy.md, MSK IAM authentication). Signing never reaches them: each is
 *   bundled as a stub that throws if it ever is.
 * - `@aws-crypto/sha256-js`, a SHA-256 in JavaScript with all of tslib (14 KB), where Node has its own: the
 *   signer gets `@smithy/hash-node`'s Hash instead, the SDK's SHA-256 on `node:crypto`, with the same
 *   interface (11 KB less in each bundle). The same digests, so the same token (a test compares them).
 *
 * A test checks the signer still requires these under these names, and uses them only as said here.
 */
const path = require('node:path')

const SIGNER = `${path.sep}aws-msk-iam-sasl-signer-js${path.sep}dist${path.sep}`
const PROJECT_DIR = path.join(__dirname, '..', '..')
/** What the signer's getMSKAuthToken.js requires that signing with a given credentials provider never uses. */
const LEFT_OUT = {
  '@aws-sdk/client-sts': ['STSClient', 'GetCallerIdentityCommand'],
  './mskCredentialProvider': ['getCredentialsFromProfile', 'getCredentialsFromRole', 'getDefaultCredentials'],
}
/** What the signer's getMSKAuthToken.js requires that Node already has, and what it uses of it. */
const REPLACED = { '@aws-crypto/sha256-js': ['Sha256'] }

function stub(module) {
  if (module in REPLACED) {
    return `const { Hash } = require('@smithy/hash-node')
class Sha256 extends Hash { constructor(secret) { super('sha256', secret) } }
module.exports = { Sha256 }`
  }
  const message = `aws-msk-iam-sasl-signer-js's ${module} is not bundled into this function: only generateAuthTokenFromCredentialsProvider without awsDebugCreds is (scripts/build/msk-signer-token-only.cjs)`
  const exports = LEFT_OUT[module].map((name) => `${name}: notBundled`).join(', ')
  // A function for the credential helpers, a class for the STS client: either throws when used.
  return `function notBundled() { throw new Error(${JSON.stringify(message)}) }\nmodule.exports = { ${exports} }`
}

function mskSignerTokenOnly() {
  return {
    name: 'msk-signer-token-only',
    setup(build) {
      const filter = new RegExp(
        `^(${[...Object.keys(LEFT_OUT), ...Object.keys(REPLACED)]
          .map((module) => module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
          .join('|')})$`,
      )
      build.onResolve({ filter }, (args) =>
        args.importer.endsWith(`${SIGNER}getMSKAuthToken.js`)
          ? { path: args.path, namespace: 'msk-signer-stub' }
          : undefined,
      )
      build.onLoad({ filter: /.*/, namespace: 'msk-signer-stub' }, (args) => ({
        contents: stub(args.path),
        loader: 'js',
        resolveDir: PROJECT_DIR,
      }))
    },
  }
}

module.exports = { mskSignerTokenOnly, LEFT_OUT, REPLACED }
