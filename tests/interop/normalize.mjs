// The normalized span form both sides of the interop tests produce and compare (the C++ side
// builds the same shape in interop_test.cc):
//   { traceId, spanId, parentSpanId ("" for a root), traceState, flags (W3C trace flags, low 8
//     bits), parentRemote, name, kind (OTLP number), start, end (decimal strings, ns),
//     attributes: [[key, value]] sorted by key, droppedAttributesCount,
//     events: [{ name, time, attributes, droppedAttributesCount }], droppedEventsCount,
//     links: [{ traceId, spanId, traceState, flags, remote, attributes, droppedAttributesCount }],
//     droppedLinksCount, status: { code, message }, resource: [[key, value]], scope: { name, version } }
// Values: {string}, {bool}, {int: "decimal"}, {double: number | "NaN" | "Infinity" | "-Infinity"},
// {array: [values]}, {kvlist: [[key, value]]}, {bytes: hex}, {} (empty).
// Spans are sorted by spanId.

const hexOf = (bytes) => Buffer.from(bytes ?? []).toString('hex');

function doubleValue(d) {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  return d;
}

function sortedAttributes(pairs) {
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// --- From a decoded OTLP request (protobufjs toObject with longs: String, bytes: Array) ---

function otlpValue(v) {
  if (!v || !v.value) return {};
  switch (v.value) {
    case 'stringValue': return { string: v.stringValue };
    case 'boolValue': return { bool: v.boolValue };
    case 'intValue': return { int: String(v.intValue) };
    case 'doubleValue': return { double: doubleValue(v.doubleValue) };
    case 'arrayValue': return { array: (v.arrayValue.values ?? []).map(otlpValue) };
    case 'kvlistValue': return { kvlist: otlpAttributes(v.kvlistValue.values) };
    case 'bytesValue': return { bytes: hexOf(v.bytesValue) };
    default: return {};
  }
}

function otlpAttributes(list) {
  return sortedAttributes((list ?? []).map((kv) => [kv.key, otlpValue(kv.value)]));
}

export function normalizeOtlpRequest(request) {
  const spans = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = otlpAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' };
      for (const s of ss.spans ?? []) {
        const flags = s.flags ?? 0;
        spans.push({
          traceId: hexOf(s.traceId),
          spanId: hexOf(s.spanId),
          parentSpanId: hexOf(s.parentSpanId),
          traceState: s.traceState ?? '',
          flags: flags & 0xff,
          parentRemote: (flags & 0x300) === 0x300,
          name: s.name ?? '',
          kind: s.kind ?? 0,
          start: String(s.startTimeUnixNano ?? '0'),
          end: String(s.endTimeUnixNano ?? '0'),
          attributes: otlpAttributes(s.attributes),
          droppedAttributesCount: s.droppedAttributesCount ?? 0,
          events: (s.events ?? []).map((e) => ({
            name: e.name ?? '',
            time: String(e.timeUnixNano ?? '0'),
            attributes: otlpAttributes(e.attributes),
            droppedAttributesCount: e.droppedAttributesCount ?? 0,
          })),
          droppedEventsCount: s.droppedEventsCount ?? 0,
          links: (s.links ?? []).map((l) => ({
            traceId: hexOf(l.traceId),
            spanId: hexOf(l.spanId),
            traceState: l.traceState ?? '',
            flags: (l.flags ?? 0) & 0xff,
            remote: ((l.flags ?? 0) & 0x300) === 0x300,
            attributes: otlpAttributes(l.attributes),
            droppedAttributesCount: l.droppedAttributesCount ?? 0,
          })),
          droppedLinksCount: s.droppedLinksCount ?? 0,
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
          resource,
          scope,
        });
      }
    }
  }
  return spans.sort((a, b) => (a.spanId < b.spanId ? -1 : 1));
}

// --- From the JS SDK's ReadableSpans (what the sender recorded) ---

function sdkValue(v) {
  if (typeof v === 'string') return { string: v };
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { int: String(v) } : { double: doubleValue(v) };
  if (Array.isArray(v)) return { array: v.map(sdkValue) };
  return {};
}

function sdkAttributes(attributes) {
  return sortedAttributes(Object.entries(attributes ?? {}).map(([k, v]) => [k, sdkValue(v)]));
}

const nanos = (hr) => (BigInt(hr[0]) * 1000000000n + BigInt(hr[1])).toString();

export function normalizeReadableSpans(readableSpans) {
  return readableSpans
    .map((s) => ({
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      parentSpanId: s.parentSpanContext?.spanId ?? '',
      traceState: s.spanContext().traceState?.serialize() ?? '',
      flags: s.spanContext().traceFlags & 0xff,
      parentRemote: s.parentSpanContext?.isRemote === true,
      name: s.name,
      kind: s.kind + 1,
      start: nanos(s.startTime),
      end: nanos(s.endTime),
      attributes: sdkAttributes(s.attributes),
      droppedAttributesCount: s.droppedAttributesCount ?? 0,
      events: s.events.map((e) => ({
        name: e.name,
        time: nanos(e.time),
        attributes: sdkAttributes(e.attributes),
        droppedAttributesCount: e.droppedAttributesCount ?? 0,
      })),
      droppedEventsCount: s.droppedEventsCount ?? 0,
      links: s.links.map((l) => ({
        traceId: l.context.traceId,
        spanId: l.context.spanId,
        traceState: l.context.traceState?.serialize() ?? '',
        flags: l.context.traceFlags & 0xff,
        remote: l.context.isRemote === true,
        attributes: sdkAttributes(l.attributes),
        droppedAttributesCount: l.droppedAttributesCount ?? 0,
      })),
      droppedLinksCount: s.droppedLinksCount ?? 0,
      status: { code: s.status.code, message: s.status.message ?? '' },
      resource: sdkAttributes(s.resource.attributes),
      scope: { name: s.instrumentationScope.name, version: s.instrumentationScope.version ?? '' },
    }))
    .sort((a, b) => (a.spanId < b.spanId ? -1 : 1));
}
