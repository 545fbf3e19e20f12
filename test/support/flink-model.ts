/**
 * An independent model of what the Flink job wrote for a record of the original producer, for tests that
 * check the pipeline's output without going through the code under test.
 */

/** A producer time `yyyy-MM-dd HH:mm:ss.ffffff` as Flink wrote it: the fraction without trailing zeros. */
export function flinkTimeOfProducerTime(text: string): string {
  const [seconds, fraction = ''] = text.split('.')
  const digits = fraction.replace(/0+$/, '')
  return digits === '' ? (seconds ?? '') : `${seconds}.${digits}`
}

/** The original producer's prices (0 to 100, 2 decimals) in Java's Double.toString: whole ones keep `.0`. */
export function javaPriceOf(price: number): string {
  return Number.isInteger(price) ? `${price}.0` : String(price)
}

/** The sink value the Flink job wrote for a record of the original producer. */
export function flinkSinkValue(source: { event_time: string; ticker: string; price: number }): string {
  return `{"event_time":"${flinkTimeOfProducerTime(source.event_time)}","ticker":${JSON.stringify(source.ticker)},"price":${javaPriceOf(source.price)}}`
}
