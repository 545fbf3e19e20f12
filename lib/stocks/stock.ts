/** One stock price, as the original PyFlink pipeline's producer emitted it. */
export interface Stock {
  readonly event_time: string
  readonly ticker: string
  readonly price: number
}

/** The original producer's 17 tickers, in its order. */
export const TICKERS = [
  'AAPL',
  'ACN',
  'ADBE',
  'AMD',
  'AVGO',
  'CRM',
  'CSCO',
  'IBM',
  'INTC',
  'MA',
  'MSFT',
  'NVDA',
  'ORCL',
  'PYPL',
  'QCOM',
  'TXN',
  'V',
] as const

/** The sink schema's `ticker VARCHAR(6)`. */
export const MAX_TICKER_LENGTH = 6
