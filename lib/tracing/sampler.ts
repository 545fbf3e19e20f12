import { type Attributes, type Context, type Link, type SpanKind, trace } from '@opentelemetry/api'
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace'
import type { SamplerName } from './settings.js'

/** OTEL_TRACES_SAMPLER's sampler, built as @opentelemetry/sdk-node builds it from the same names. */
export function namedSampler(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio)
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) })
  }
}

const isSampled = (link: Link) => (link.context.traceFlags & 1) === 1

/**
 * The configured sampler, where a span with no parent but links to upstream contexts (a batch
 * consumer's: the messaging conventions link them rather than parent) is decided as if its sampled
 * upstream were its parent. So a parent-based sampler records the processor's work exactly when the
 * producer sampled some of the records it processed: the decision is made once, upstream, as Lambda
 * makes none for an invocation by an MSK event source mapping. Samplers that ignore the parent (always_on,
 * always_off, traceidratio) decide as they would.
 */
export class LinksAsParentSampler implements Sampler {
  readonly #configured: Sampler

  constructor(configured: Sampler) {
    this.#configured = configured
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    let decidingContext = context
    const upstream = links.find(isSampled) ?? links[0]
    if (trace.getSpanContext(context) === undefined && upstream !== undefined) {
      decidingContext = trace.setSpanContext(context, { ...upstream.context, isRemote: true })
    }
    return this.#configured.shouldSample(decidingContext, traceId, spanName, spanKind, attributes, links)
  }

  toString(): string {
    return `LinksAsParent{${this.#configured.toString()}}`
  }
}
