// Sends spans made with the official OpenTelemetry JS SDK to an OTLP/HTTP endpoint, then prints
// what the SDK recorded, normalized (see normalize.mjs), as one JSON line.
//
//   node sender.mjs URL proto|json [gzip]
import { context, createTraceState, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { normalizeReadableSpans } from './normalize.mjs';

const [url, protocol, compression] = process.argv.slice(2);
const config = { url, timeoutMillis: 10000, compression: compression === 'gzip' ? 'gzip' : 'none' };
const exporter = protocol === 'json' ? new JsonExporter(config) : new ProtoExporter(config);
const recorded = new InMemorySpanExporter();
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'js-interop', 'deployment.environment.name': 'test', 'process.pid': 4242 }),
  spanProcessors: [new SimpleSpanProcessor({ exporter }), new SimpleSpanProcessor({ exporter: recorded })],
});
const tracer = provider.getTracer('interop-sender', '1.2.3');

const remoteParent = trace.setSpanContext(context.active(), {
  traceId: '0af7651916cd43dd8448eb211c80319c',
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

const client = tracer.startSpan('SELECT users', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'sqlite' } },
  trace.setSpan(context.active(), server));
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
