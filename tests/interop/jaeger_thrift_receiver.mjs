// A Jaeger collector's Thrift-over-HTTP endpoint as far as decoding goes: each POST /api/traces
// body is read as a jaeger.thrift Batch by thriftrw (the Thrift library Jaeger's Node.js client
// uses) with the jaeger.thrift IDL shipped inside jaeger-client, and answered 202 like Jaeger.
//
//   node jaeger_thrift_receiver.mjs COUNT
// Prints "listening PORT", then for each of COUNT requests one line
// "request <method> <path> <content-type> <Batch as JSON>", then exits 0. A body thriftrw cannot
// read (or with bytes after the Batch) gets 400 and a line "error <message as JSON>".
//
// The JSON is the Batch as Thrift sees it: field names from the IDL, optional fields that were
// not sent left out, enums by name, i64 as signed decimal strings, doubles as the hex of their
// IEEE-754 bits (exact, and NaN and infinities survive), binary as base64.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Thrift } = require('thriftrw');
const idl = path.join(path.dirname(require.resolve('jaeger-client/package.json')),
  'dist/src/jaeger-idl/thrift/jaeger.thrift');
const jaeger = new Thrift({ source: fs.readFileSync(idl, 'ascii'), strict: true, allowOptionalArguments: true });

const present = (v) => v !== null && v !== undefined;
const i64 = (buffer) => Buffer.from(buffer).readBigInt64BE().toString();
const doubleBits = (v) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b.toString('hex');
};
const tag = (t) => {
  const out = { key: t.key, vType: t.vType };
  if (present(t.vStr)) out.vStr = t.vStr;
  if (present(t.vDouble)) out.vDouble = doubleBits(t.vDouble);
  if (present(t.vBool)) out.vBool = t.vBool;
  if (present(t.vLong)) out.vLong = i64(t.vLong);
  if (present(t.vBinary)) out.vBinary = Buffer.from(t.vBinary).toString('base64');
  return out;
};
const span = (s) => {
  const out = {
    traceIdLow: i64(s.traceIdLow), traceIdHigh: i64(s.traceIdHigh), spanId: i64(s.spanId),
    parentSpanId: i64(s.parentSpanId), operationName: s.operationName,
  };
  if (present(s.references)) {
    out.references = s.references.map((r) => ({
      refType: r.refType, traceIdLow: i64(r.traceIdLow), traceIdHigh: i64(r.traceIdHigh), spanId: i64(r.spanId),
    }));
  }
  out.flags = s.flags;
  out.startTime = i64(s.startTime);
  out.duration = i64(s.duration);
  if (present(s.tags)) out.tags = s.tags.map(tag);
  if (present(s.logs)) out.logs = s.logs.map((l) => ({ timestamp: i64(l.timestamp), fields: l.fields.map(tag) }));
  return out;
};

let remaining = Number(process.argv[2] ?? '1');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const result = jaeger.Batch.rw.readFrom(body, 0);
    if (result.err || result.offset !== body.length) {
      const message = result.err ? String(result.err) : `${body.length - result.offset} bytes after the Batch`;
      res.writeHead(400).end(message);
      process.stdout.write(`error ${JSON.stringify(message)}\n`);
    } else {
      const batch = result.value;
      const process_ = { serviceName: batch.process.serviceName };
      if (present(batch.process.tags)) process_.tags = batch.process.tags.map(tag);
      const json = { process: process_, spans: batch.spans.map(span) };
      res.writeHead(202).end();
      process.stdout.write(`request ${req.method} ${req.url} ${req.headers['content-type'] ?? '-'} ${JSON.stringify(json)}\n`);
    }
    if (--remaining <= 0) server.close(() => process.exit(0));
  });
});
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
setTimeout(() => { process.stdout.write('error "timed out waiting for requests"\n'); process.exit(2); }, 30000).unref();
