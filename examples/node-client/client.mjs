// A Node.js client traced with the official OpenTelemetry JS SDK that calls the C++ gateway, so
// one trace spans two languages: node-client (root + CLIENT spans) -> gateway SERVER span ->
// users / orders / payments.
//
//   node client.mjs [PATH...]          (default paths: /demo/full-flow/1 /users/1)
//
// Environment:
//   GATEWAY_URL                          default http://localhost:8000
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT   full URL of the OTLP/HTTP traces endpoint, or
//   OTEL_EXPORTER_OTLP_ENDPOINT          base URL (+ /v1/traces); default http://localhost:4318
//   CLIENT_TIMEOUT_MS                    per-request timeout, default 10000
//
// Prints one JSON line on stdout: {"trace_id": "...", "root_span_id": "...", "calls": [...]}.
// Exit code 0 when every call answered 2xx and the spans were exported; 1 otherwise.
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const gateway = (process.env.GATEWAY_URL || 'http://localhost:8000').replace(/\/+$/, '');
const otlpUrl = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
  (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://localhost:4318').replace(/\/+$/, '') + '/v1/traces';
const timeoutMs = Number(process.env.CLIENT_TIMEOUT_MS || 10000);
const paths = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['/demo/full-flow/1', '/users/1'];

const exporter = new OTLPTraceExporter({ url: otlpUrl, timeoutMillis: timeoutMs });
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'node-client', 'telemetry.sdk.language': 'nodejs' }),
  spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 200 })],
});
const tracer = provider.getTracer('tracing-demo-node-client', '1.0.0');
// W3C trace context; the context is passed explicitly (no global context manager needed).
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

// One GET inside a CLIENT span whose context goes out in the traceparent header.
async function tracedGet(parentContext, path) {
  const url = new URL(path, gateway);
  const span = tracer.startSpan(`GET ${path}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': 'GET',
      'url.full': url.toString(),
      'server.address': url.hostname,
      'server.port': Number(url.port || 80),
    },
  }, parentContext);
  const headers = {};
  propagation.inject(trace.setSpan(parentContext, span), headers);
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
    return { path, status: response.status, span_id: span.spanContext().spanId,
             traceresponse: response.headers.get('traceresponse'), body_bytes: body.length };
  } catch (error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error.message || error) });
    return { path, status: 0, span_id: span.spanContext().spanId, error: String(error.message || error) };
  } finally {
    span.end();
  }
}

const root = tracer.startSpan('node-client demo', { kind: SpanKind.INTERNAL, attributes: { 'demo.paths': paths } });
const rootContext = trace.setSpan(context.active(), root);
const calls = [];
for (const path of paths) calls.push(await tracedGet(rootContext, path));
root.end();

let exported = true;
try {
  await provider.forceFlush();
} catch (error) {
  exported = false;
  console.error(`node-client: export to ${otlpUrl} failed: ${error.message || error}`);
}
await provider.shutdown().catch(() => {});

const { traceId, spanId } = root.spanContext();
console.log(JSON.stringify({ trace_id: traceId, root_span_id: spanId, otlp_endpoint: otlpUrl, exported, calls }));
const allOk = calls.every((call) => call.status >= 200 && call.status < 300);
process.exit(allOk && exported ? 0 : 1);
