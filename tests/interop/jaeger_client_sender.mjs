// Sends spans made with Jaeger's own Node.js client (jaeger-client, the OpenTracing tracer that
// posts jaeger.thrift Batches to a collector's /api/traces) and prints, as one JSON line, what it
// sent: the process and each span in jaeger-client's own Thrift form, ids as hex.
//
//   node jaeger_client_sender.mjs http://127.0.0.1:PORT/api/traces
import jaeger from 'jaeger-client';
import senderModule from 'jaeger-client/dist/src/reporters/http_sender.js';
import thriftModule from 'jaeger-client/dist/src/thrift.js';

const HTTPSender = senderModule.default;
const ThriftUtils = thriftModule.default;
const [endpoint] = process.argv.slice(2);

const memory = new jaeger.InMemoryReporter();
const remote = new jaeger.RemoteReporter(new HTTPSender({ endpoint, timeoutMs: 10000 }), { bufferFlushInterval: 60000 });
let sendError = null;
remote._onFlush = undefined;
const tracer = new jaeger.Tracer('jaeger-js-client', new jaeger.CompositeReporter([remote, memory]),
  new jaeger.ConstSampler(true), {
    tags: { 'deployment.environment.name': 'test', 'build.number': 7 },
    logger: { info() {}, error(message) { sendError = message; } },
  });

const server = tracer.startSpan('GET /users/{id}', {
  tags: { 'span.kind': 'server', 'http.method': 'GET', 'http.status_code': 404, ratio: 0.25, cached: false,
          escaped: 'quote" backslash\\ newline\n unicode é 🚀', payload: Buffer.from([1, 2, 255]),
          structured: { a: 1 } },
});
server.log({ event: 'cache.miss', 'cache.key': 'user:42', 'cache.size': 17 });
server.setTag('error', true);
const client = tracer.startSpan('SELECT users', { childOf: server, tags: { 'span.kind': 'client', 'db.system': 'sqlite' } });
client.finish();
const follower = tracer.startSpan('audit', { references: [jaeger.opentracing.followsFrom(server.context())] });
follower.finish();
server.finish();

await new Promise((resolve) => tracer.close(resolve));
if (sendError) {
  process.stderr.write(`jaeger-client failed to send: ${sendError}\n`);
  process.exit(1);
}

const hex = (buffer) => Buffer.from(buffer).toString('hex');
const int64 = (buffer) => Number(Buffer.from(buffer).readBigUInt64BE());
// Tags in jaeger-client's Thrift form (vType by name: STRING, DOUBLE, BOOL, LONG, BINARY).
const tags = (list) => (list.length > 0 && 'vType' in list[0] ? list : ThriftUtils.getThriftTags(list)).map((t) => ({
  key: t.key, vType: t.vType, vStr: t.vStr, vDouble: t.vDouble, vBool: t.vBool,
  vBinary: t.vBinary ? Buffer.from(t.vBinary).toString('base64') : '',
}));
const spans = memory.spans.map((span) => {
  const t = ThriftUtils.spanToThrift(span);
  return {
    traceId: hex(t.traceIdHigh) + hex(t.traceIdLow), spanId: hex(t.spanId), parentSpanId: hex(t.parentSpanId),
    operationName: t.operationName, flags: t.flags, startTime: int64(t.startTime), duration: int64(t.duration),
    references: t.references.map((r) => ({ refType: r.refType, traceId: hex(r.traceIdHigh) + hex(r.traceIdLow), spanId: hex(r.spanId) })),
    tags: tags(t.tags),
    logs: t.logs.map((l) => ({ timestamp: int64(l.timestamp), fields: tags(l.fields) })),
  };
});
process.stdout.write(JSON.stringify({ process: { serviceName: tracer._process.serviceName, tags: tags(tracer._process.tags) }, spans }) + '\n');
