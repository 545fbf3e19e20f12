/**
 * Microseconds since the epoch, for stamping each record as the original producer's `datetime.now()`
 * did. Date.now() resolves milliseconds only, so the sub-millisecond part comes from the monotonic clock,
 * anchored to the wall clock and re-anchored whenever the two drift a millisecond apart (a clock step, a
 * long freeze of the Lambda container).
 */
let wallAtZeroMs = performance.timeOrigin

export function epochMicros(): number {
  const monotonicMs = performance.now()
  const wallMs = Date.now()
  let estimateMs = wallAtZeroMs + monotonicMs
  if (estimateMs < wallMs || estimateMs >= wallMs + 1) {
    wallAtZeroMs = wallMs - monotonicMs
    estimateMs = wallMs
  }
  return Math.floor(estimateMs * 1000)
}
