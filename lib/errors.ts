/**
 * The project's error hierarchy. Every error names what went wrong in words a user can act on and keeps
 * the underlying error as `cause`; none carries credentials, tokens or record payloads in its message.
 */
export class StocksError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** A setting is missing or invalid; thrown while a function starts, before any record is touched. */
export class ConfigError extends StocksError {}

/** The Lambda event is not the shape the function expects (for example not an MSK event). */
export class InvalidEventError extends StocksError {}

/** The cluster's bootstrap brokers could not be looked up. */
export class BrokerDiscoveryError extends StocksError {}

/** No connection to the brokers could be made. */
export class KafkaUnavailableError extends StocksError {}

/** Records were not acknowledged by the brokers; the invocation must fail so that it is retried. */
export class KafkaDeliveryError extends StocksError {}

/** A topic exists in a shape the request cannot change it to (fewer partitions, another replication). */
export class TopicConfigurationError extends StocksError {}

/** An operation did not finish within its time budget. */
export class OperationTimeoutError extends StocksError {}

/** What was thrown, as an Error: JavaScript lets anything be thrown, and this says what it was. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown))
}
