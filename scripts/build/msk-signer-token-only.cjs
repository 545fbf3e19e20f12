/**
 * An esbuild plugin for aws-msk-iam-sasl-signer-js, which lib/kafka/iam-token.ts calls as
 * `generateAuthTokenFromCredentialsProvider` with the function's credentials. The package is CommonJS and
 * requires, when it loads, an STS client (used only by its `awsDebugCreds` option, which logs the caller's
 * identity) and the SDK's whole credential chain (used only by `generateAuthToken`,
 * `generateAuthTokenFromProfile` and `generateAuthTokenFromRole`), so esbuild keeps both in every bundle:
 * 412 KB more in the producer's, and twice its module init (docs/deploy.md, MSK IAM authentication).
 * Neither is reached by the signing itself. This plugin bundles a stub in their place that throws if it is ever
 * reached. A test checks the signer still requires them under these names, and only from those functions.
 */
const path = require('node:path')

const SIGNER = `${path.sep}aws-msk-iam-sasl-signer-js${path.sep}dist${path.sep}`
/** What the signer's getMSKAuthToken.js requires that signing with a given credentials provider never uses. */
const LEFT_OUT = {
  '@aws-sdk/client-sts': ['STSClient', 'GetCallerIdentityCommand'],
  './mskCredentialProvider': ['getCredentialsFromProfile', 'getCredentialsFromRole', 'getDefaultCredentials'],
}

function stub(module) {
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
        `^(${Object.keys(LEFT_OUT)
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
      }))
    },
  }
}

module.exports = { mskSignerTokenOnly, LEFT_OUT }
