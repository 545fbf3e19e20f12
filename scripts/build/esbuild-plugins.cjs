// esbuild plugins for serverless-esbuild (`custom.esbuild.plugins`) and the cold-start benchmark alike.
const { kafkajsProducerOnly } = require('./kafkajs-producer-only.cjs')
const { mskSignerTokenOnly } = require('./msk-signer-token-only.cjs')

module.exports = [
  kafkajsProducerOnly({ entries: ['functions/producer.ts', 'functions/processor.ts'] }),
  mskSignerTokenOnly(),
]
