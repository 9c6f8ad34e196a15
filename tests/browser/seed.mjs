// Sends demo traces to a trace store over OTLP/HTTP JSON: gateway -> users/orders/payments,
// with database spans, some failing payments (status ERROR + exception event), and one trace
// whose span name and attributes are HTML/script payloads (the UI must show them as text).
//
//   node seed.mjs http://127.0.0.1:4318 [traces=40]
import { randomBytes } from 'node:crypto';

const hex = (bytes) => randomBytes(bytes).toString('hex');
const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: String(value) } });
const KIND = { internal: 1, server: 2, client: 3 };

function span(traceId, parentSpanId, name, kind, startNs, durationNs, attributes = [], extra = {}) {
  return {
    traceId, spanId: hex(8), parentSpanId, name, kind: KIND[kind],
    startTimeUnixNano: String(startNs), endTimeUnixNano: String(startNs + durationNs),
    attributes, ...extra,
  };
}

// Returns [{service, spans}] for one request through the services.
export function demoTrace({ fail = false, evilName = null, ageMs = 0 } = {}) {
  const traceId = hex(16);
  const ms = 1_000_000n;
  const t0 = BigInt(Date.now() - ageMs) * ms;
  const by = { gateway: [], users: [], orders: [], payments: [] };
  const root = span(traceId, undefined, evilName ?? 'POST /checkout', 'server', t0, 90n * ms,
    [str('http.request.method', 'POST'), str('http.route', '/checkout'), int('http.response.status_code', fail ? 502 : 200)],
    fail ? { status: { code: 2, message: 'payment failed' } } : {});
  if (evilName) root.attributes.push(str('evil.attribute', '<script>alert(2)</script>'));
  by.gateway.push(root);
  const callUsers = span(traceId, root.spanId, 'GET users', 'client', t0 + 2n * ms, 12n * ms, [str('server.address', 'users')]);
  by.gateway.push(callUsers);
  const usersServer = span(traceId, callUsers.spanId, 'GET /users/{user_id}', 'server', t0 + 3n * ms, 10n * ms, [int('http.response.status_code', 200)]);
  by.users.push(usersServer, span(traceId, usersServer.spanId, 'SELECT users', 'client', t0 + 4n * ms, 6n * ms, [str('db.system', 'sqlite'), str('db.statement', 'SELECT * FROM users WHERE id = ?')]));
  const callOrders = span(traceId, root.spanId, 'POST orders', 'client', t0 + 16n * ms, 30n * ms);
  by.gateway.push(callOrders);
  const ordersServer = span(traceId, callOrders.spanId, 'POST /orders', 'server', t0 + 17n * ms, 28n * ms, [int('http.response.status_code', 201)]);
  by.orders.push(ordersServer, span(traceId, ordersServer.spanId, 'INSERT orders', 'client', t0 + 20n * ms, 20n * ms, [str('db.system', 'sqlite')]));
  const callPayments = span(traceId, root.spanId, 'POST payments', 'client', t0 + 48n * ms, 40n * ms, [],
    fail ? { status: { code: 2, message: 'HTTP 500' } } : {});
  by.gateway.push(callPayments);
  const paymentsServer = span(traceId, callPayments.spanId, 'POST /payments', 'server', t0 + 49n * ms, 38n * ms,
    [int('http.response.status_code', fail ? 500 : 201), str('payment.card', '****4242')],
    fail ? {
      status: { code: 2, message: 'card declined' },
      events: [{ name: 'exception', timeUnixNano: String(t0 + 80n * ms), attributes: [str('exception.type', 'CardDeclined'), str('exception.message', 'card declined by issuer')] }],
    } : {});
  by.payments.push(paymentsServer, span(traceId, paymentsServer.spanId, 'charge card', 'internal', t0 + 52n * ms, 30n * ms));
  return { traceId, request: { resourceSpans: Object.entries(by).map(([service, spans]) => ({
    resource: { attributes: [str('service.name', service), str('host.name', 'demo-host')] },
    scopeSpans: [{ scope: { name: 'tracing-demo', version: '0.1.0' }, spans }],
  })) } };
}

export async function seed(endpoint, count = 40) {
  const ids = { ok: [], failed: [], evil: null };
  for (let i = 0; i < count; i++) {
    const fail = i % 5 === 0;
    const { traceId, request } = demoTrace({ fail, ageMs: (count - i) * 1000 });
    await post(endpoint, request);
    (fail ? ids.failed : ids.ok).push(traceId);
  }
  const evil = demoTrace({ evilName: '<img src=x onerror=alert(1)>' });
  await post(endpoint, evil.request);
  ids.evil = evil.traceId;
  return ids;
}

async function post(endpoint, body) {
  const response = await fetch(`${endpoint}/v1/traces`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`POST /v1/traces: HTTP ${response.status} ${await response.text()}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ids = await seed(process.argv[2] || 'http://127.0.0.1:4318', Number(process.argv[3] || 40));
  console.log(JSON.stringify(ids));
}
