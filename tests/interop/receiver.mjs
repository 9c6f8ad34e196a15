// An OTLP/HTTP receiver that decodes with the OpenTelemetry JS project's generated protobuf
// classes (shipped in @opentelemetry/otlp-transformer 0.203.0, installed as otlp-generated-root).
//
//   node receiver.mjs COUNT
// Prints "listening PORT", then for each of COUNT requests to POST /v1/traces one line
// "request <content-type> <content-encoding|-> <normalized spans as JSON>", then exits 0.
// Protobuf bodies are decoded with ExportTraceServiceRequest.decode; JSON bodies (OTLP/JSON:
// hex ids) are turned into protobufjs' JSON form (base64 bytes) and read with fromObject, so
// both go through the official schema.
import http from 'node:http';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { normalizeOtlpRequest } from './normalize.mjs';

const require = createRequire(import.meta.url);
const root = require('./node_modules/otlp-generated-root/build/src/generated/root.js');
const { ExportTraceServiceRequest } = root.opentelemetry.proto.collector.trace.v1;
const toObjectOptions = { longs: String, enums: Number, bytes: Array, oneofs: true, defaults: false };

const hexToBase64 = (hex) => Buffer.from(hex ?? '', 'hex').toString('base64');

function jsonToProtobufJsForm(request) {
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        for (const field of ['traceId', 'spanId', 'parentSpanId']) {
          if (typeof s[field] === 'string') s[field] = hexToBase64(s[field]);
        }
        for (const l of s.links ?? []) {
          for (const field of ['traceId', 'spanId']) {
            if (typeof l[field] === 'string') l[field] = hexToBase64(l[field]);
          }
        }
      }
    }
  }
  return request;
}

let remaining = Number(process.argv[2] ?? '1');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      let body = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'] ?? '-';
      if (encoding === 'gzip') body = zlib.gunzipSync(body);
      const type = req.headers['content-type'] ?? '';
      let message;
      if (type.startsWith('application/json')) {
        message = ExportTraceServiceRequest.fromObject(jsonToProtobufJsForm(JSON.parse(body.toString('utf8'))));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      } else {
        message = ExportTraceServiceRequest.decode(body);
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
      }
      const spans = normalizeOtlpRequest(ExportTraceServiceRequest.toObject(message, toObjectOptions));
      process.stdout.write(`request ${type} ${encoding} ${JSON.stringify(spans)}\n`);
    } catch (e) {
      res.writeHead(400).end(String(e));
      process.stdout.write(`error ${JSON.stringify(String(e))}\n`);
    }
    if (--remaining <= 0) server.close(() => process.exit(0));
  });
});
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
setTimeout(() => { process.stdout.write('error "timed out waiting for requests"\n'); process.exit(2); }, 30000).unref();
