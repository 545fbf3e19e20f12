import { type Tracer, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import {
  defaultResource,
  detectResources,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
  serviceNameEnvDetector,
} from '@opentelemetry/resources'
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace'
import { logger } from '../log.js'
import { SERVICE_NAME } from '../service.js'
import { ATTR } from './attributes.js'
import { XRayDaemonExporter } from './daemon-exporter.js'
import { LinksAsParentSampler, namedSampler } from './sampler.js'
import {
  type Env,
  type ExporterKind,
  type SamplerName,
  type TracingSettings,
  tracingSettings,
} from './settings.js'

/** How the record headers carry a trace context: W3C Trace Context, as OpenTelemetry writes it. */
export const propagator = new W3CTraceContextPropagator()

/** A function's tracing: one per execution environment, made while the function's module loads. */
export interface Tracing {
  /** Off: nothing is recorded, no span is made, and records carry no trace headers. */
  readonly enabled: boolean
  readonly tracer: Tracer
  /** Whether this is the environment's first invocation (`faas.coldstart`): true once, then false. */
  coldStart(): boolean
  /** Sends what was recorded, before Lambda freezes the environment; a failure is logged, never thrown. */
  flush(): Promise<void>
}

export interface TracingOptions {
  /** The function (`producer`), naming the service when neither OTEL_SERVICE_NAME nor Lambda does. */
  readonly name: string
  /** The sampler when OTEL_TRACES_SAMPLER is unset. */
  readonly defaultSampler: SamplerName
  readonly env?: Env
  /** Where spans go instead of what the settings say (a test's in-memory exporter); switched off still wins. */
  readonly exporter?: SpanExporter
}

function spanProcessor(kind: ExporterKind, settings: TracingSettings): SpanProcessor {
  switch (kind) {
    case 'udp':
      return new BatchSpanProcessor({ exporter: new XRayDaemonExporter(settings.daemon) })
    case 'http/protobuf':
      // Reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT and _COMPRESSION itself.
      return new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })
    case 'console':
      return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })
  }
}

/**
 * The function as OpenTelemetry's resource: the service (OTEL_SERVICE_NAME, else the Lambda function's
 * name, else the project's and the function's), Lambda's facts where it runs, and OTEL_RESOURCE_ATTRIBUTES,
 * which OpenTelemetry's own detectors read and which win.
 */
function functionResource(name: string, env: Env) {
  const lambda = env.AWS_LAMBDA_FUNCTION_NAME
  const attributes = {
    'service.name': lambda ?? `${SERVICE_NAME}-${name}`,
    ...(env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda_')
      ? {
          [ATTR.cloudProvider]: 'aws',
          [ATTR.cloudPlatform]: 'aws_lambda',
          [ATTR.cloudRegion]: env.AWS_REGION,
          [ATTR.faasName]: lambda,
          [ATTR.faasVersion]: env.AWS_LAMBDA_FUNCTION_VERSION,
          [ATTR.faasMaxMemory]: Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 0) * 1024 * 1024 || undefined,
        }
      : {}),
  }
  return defaultResource()
    .merge(resourceFromAttributes(attributes))
    .merge(detectResources({ detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector] }))
}

/**
 * The function's tracing, as OpenTelemetry's environment variables configure it (lib/tracing/settings.ts):
 * an SDK tracer provider whose spans go to the X-Ray daemon in Lambda (or an OTLP endpoint), or nothing at
 * all when tracing is off, which is the default outside Lambda. The provider is the function's own, not
 * registered globally: its spans are made explicitly, parented by the contexts the handlers pass.
 */
export function startTracing(options: TracingOptions): Tracing {
  const env = options.env ?? process.env
  const settings = tracingSettings(env, options.defaultSampler)
  const processors =
    options.exporter === undefined
      ? settings.exporters.map((kind) => spanProcessor(kind, settings))
      : settings.disabled
        ? []
        : [new SimpleSpanProcessor({ exporter: options.exporter })]
  let first = true
  const coldStart = () => {
    const cold = first
    first = false
    return cold
  }
  if (processors.length === 0) {
    return { enabled: false, tracer: trace.getTracer('disabled'), coldStart, flush: async () => undefined }
  }
  const provider = new TracerProvider({
    resource: functionResource(options.name, env),
    sampler: new LinksAsParentSampler(namedSampler(settings.sampler, settings.ratio)),
    spanProcessors: processors,
  })
  return {
    enabled: true,
    tracer: provider.getTracer(SERVICE_NAME),
    coldStart,
    flush: async () => {
      try {
        await provider.forceFlush()
      } catch (error) {
        logger.warn('Spans not exported', { error })
      }
    },
  }
}
