// esbuild plugins for serverless-esbuild (`custom.esbuild.plugins`) and the cold-start benchmark alike.
const { kafkajsProducerOnly } = require('./kafkajs-producer-only.cjs')

module.exports = [kafkajsProducerOnly({ entries: ['functions/producer.ts', 'functions/processor.ts'] })]
