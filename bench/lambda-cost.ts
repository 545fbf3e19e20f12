/**
 * What Lambda bills the processor per million records, from what a local run measured: its invocations
 * and their durations. List prices for arm64 in us-east-1 from https://aws.amazon.com/lambda/pricing/
 * (first pricing tier; the free tier left out), the deployed memory from serverless.yml.
 */
export const ARM64_PRICE_PER_GB_SECOND = 0.0000133334
export const PRICE_PER_REQUEST = 0.2 / 1_000_000
export const DEPLOYED_MEMORY_MB = 256
/** Lambda gives a function memory / 1,769 MB of a vCPU ("Configuring Lambda function memory"). */
const FULL_VCPU_MB = 1_769

export interface InvocationCost {
  readonly records: number
  readonly invocations: number
  /** The invocations' durations, each rounded up to the millisecond, as measured on a full core. */
  readonly billedMs: number
}

/**
 * Dollars per million records. Below 1,769 MB a function gets a fraction of a core, so a duration
 * measured on a full core is stretched by that fraction: an upper bound, as time spent waiting on the
 * brokers does not stretch.
 */
export function costPerMillionRecords(cost: InvocationCost, memoryMb = DEPLOYED_MEMORY_MB): number {
  const stretch = Math.max(1, FULL_VCPU_MB / memoryMb)
  const gbSeconds = ((cost.billedMs * stretch) / 1000) * (memoryMb / 1024)
  const dollars = cost.invocations * PRICE_PER_REQUEST + gbSeconds * ARM64_PRICE_PER_GB_SECOND
  return cost.records === 0 ? 0 : (dollars / cost.records) * 1_000_000
}
