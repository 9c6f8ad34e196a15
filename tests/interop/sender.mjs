// Sends spans made with the official OpenTelemetry JS SDK to an OTLP endpoint, then prints what
// the SDK recorded, normalized (see normalize.mjs), as one JSON line.
//
//   node sender.mjs URL proto|json|grpc [gzip] [--trace-id=HEX32] [--service=NAME]
// URL: http://host:port/v1/traces for proto and json (OTLP/HTTP), http://host:port for grpc.
// --trace-id: the trace of the remote parent (and so of the SERVER and CLIENT spans);
// --service: service.name of the resource. Defaults: 0af7651916cd43dd8448eb211c80319c, js-interop.
import { context, createTraceState, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { normalizeReadableSpans } from './normalize.mjs';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const option = (name, fallback) => {
  const found = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : found.slice(name.length + 3);
};
const [url, protocol, compression] = positional;
const traceId = option('trace-id', '0af7651916cd43dd8448eb211c80319c');
const serviceName = option('service', 'js-interop');
const exporters = { proto: ProtoExporter, json: JsonExporter, grpc: GrpcExporter };
if (!url || !exporters[protocol]) {
  process.stderr.write('usage: node sender.mjs URL proto|json|grpc [gzip] [--trace-id=HEX32] [--service=NAME]\n');
  process.exit(2);
}
const config = { url, timeoutMillis: 10000, compression: compression === 'gzip' ? 'gzip' : 'none' };
const exporter = new exporters[protocol](config);
// Every export's result is checked: a failed export makes the sender exit 1 (after printing).
let failedExports = 0;
const checkedExporter = {
  export(spans, done) {
    exporter.export(spans, (result) => {
      if (result.code !== 0) {
        failedExports += 1;
        process.stderr.write(`export failed: ${result.error?.message ?? result.code}\n`);
      }
      done(result);
    });
  },
  forceFlush: () => exporter.forceFlush(),
  shutdown: () => exporter.shutdown(),
};
const recorded = new InMemorySpanExporter();
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': serviceName, 'deployment.environment.name': 'test', 'process.pid': 4242 }),
  spanProcessors: [new SimpleSpanProcessor({ exporter: checkedExporter }), new SimpleSpanProcessor({ exporter: recorded })],
});
const tracer = provider.getTracer('interop-sender', '1.2.3');

const remoteParent = trace.setSpanContext(context.active(), {
  traceId,
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
  isRemote: true,
  traceState: createTraceState('vendor=abc,other=x-1'),
});
const server = tracer.startSpan('GET /users/{id}', {
  kind: SpanKind.SERVER,
  attributes: {
    'http.request.method': 'GET', 'http.response.status_code': 404, 'ratio': 0.25, 'cached': false,
    'big': 9007199254740991, 'negative': -42, 'escaped': 'quote" backslash\\ newline\n unicode é 🚀',
    'empty': '', 'tags': ['a', 'b', ''], 'flags': [true, false], 'ids': [1, 2, 3], 'weights': [1.5, -2.25],
  },
  links: [{ context: { traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceFlags: 1, isRemote: true },
            attributes: { 'link.reason': 'batch' } }],
}, remoteParent);
server.addEvent('cache.miss', { 'cache.key': 'user:42', 'cache.size': 17 });
server.recordException(Object.assign(new Error('User 42 not found'), { name: 'NotFoundError' }));
server.setStatus({ code: SpanStatusCode.ERROR, message: 'User 42 not found' });

// A link to its own parent typed the OpenTracing way, and an event whose attributes name it
// (Jaeger maps both specially: the parent reference turns FOLLOWS_FROM; the log's "event" field
// is the attribute, not the event's name).
const client = tracer.startSpan('SELECT users', {
  kind: SpanKind.CLIENT,
  attributes: { 'db.system': 'sqlite' },
  links: [{ context: server.spanContext(), attributes: { 'opentracing.ref_type': 'follows_from' } }],
}, trace.setSpan(context.active(), server));
client.addEvent('log', { event: 'db.retry', attempt: 2 });
client.setStatus({ code: SpanStatusCode.OK });
client.end();
server.end();

for (const [name, kind] of [['internal work', SpanKind.INTERNAL], ['publish', SpanKind.PRODUCER], ['consume', SpanKind.CONSUMER]]) {
  tracer.startSpan(name, { kind }).end();
}

await provider.forceFlush();
const spans = normalizeReadableSpans(recorded.getFinishedSpans());
await provider.shutdown();
process.stdout.write(JSON.stringify(spans) + '\n');
process.exitCode = failedExports === 0 ? 0 : 1;
