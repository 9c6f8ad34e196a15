// Browser test of the trace store UI: headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core. Starts `tracing-demo traces` on free ports, sends demo traces, then: search,
// open a trace, expand a span, reach the error span in one click, see the service map, and
// checks that a span named <img src=x onerror=alert(1)> renders as text (no dialog fires).
// Screenshots go to the artifacts folder.
//
//   node ui_test.mjs /path/to/tracing-demo /path/to/artifacts
// Exit codes: 0 pass, 1 fail, 77 skipped (chromium or node_modules missing).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { freePort, launchChromium, skipUnlessBrowserAvailable, waitFor } from './harness.mjs';

skipUnlessBrowserAvailable();
const [binary, artifacts = join(process.cwd(), 'browser-artifacts')] = process.argv.slice(2);
if (!binary || !existsSync(binary)) {
  console.error('usage: node ui_test.mjs TRACING_DEMO_BINARY [ARTIFACT_DIR]');
  process.exit(1);
}
const { seed } = await import('./seed.mjs');

mkdirSync(artifacts, { recursive: true });
const [otlpPort, uiPort] = [await freePort(), await freePort()];
const store = spawn(binary, ['traces', '--otlp-http-port', String(otlpPort), '--ui-port', String(uiPort), '--no-grpc'], { stdio: ['ignore', 'inherit', 'inherit'] });
let browser, profile;
const dialogs = [];
const pageErrors = [];
let failed = false;
try {
  const base = `http://127.0.0.1:${uiPort}`;
  await waitFor(`${base}/api/services`);
  const ids = await seed(`http://127.0.0.1:${otlpPort}`, 25);

  const page0 = await fetch(`${base}/search`);
  assert.match(page0.headers.get('content-security-policy') || '', /script-src 'self'/, 'CSP header on the UI');

  ({ browser, profile } = await launchChromium());  // a fresh profile, removed afterwards
  const page = await browser.newPage();
  page.on('dialog', async (dialog) => { dialogs.push(dialog.message()); await dialog.dismiss(); });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // Script errors only: the unknown-trace step's 404 and favicon misses are expected.
  page.on('console', (msg) => { if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(msg.text()); });

  // 1. Search.
  await page.goto(`${base}/search`);
  await page.selectOption('#service', 'gateway');
  await page.click('#find');
  await page.waitForSelector('.result-row');
  assert.ok(await page.locator('#scatter circle').count() >= 20, 'scatter plot has a dot per trace');
  await page.screenshot({ path: join(artifacts, 'search.png'), fullPage: true });
  await page.click('#tab-breakdown');
  await page.waitForSelector('#breakdown table');
  assert.ok((await page.textContent('#breakdown')).includes('POST /payments'), 'latency breakdown lists operations');
  await page.screenshot({ path: join(artifacts, 'breakdown.png'), fullPage: true });
  await page.click('#tab-list');

  // 2. Open a failed trace from the list (sorted by errors), expand a span.
  await page.selectOption('#sort', 'errors');
  await page.locator('.result-row.has-error').first().click();
  await page.waitForSelector('#waterfall .wf-row');
  assert.equal(await page.locator('#waterfall .wf-row').count(), 10, 'all spans shown');
  const firstRow = page.locator('#waterfall .wf-row').nth(1);
  const spanId = await firstRow.getAttribute('data-span-id');
  await firstRow.click();
  await page.waitForSelector(`#details-${spanId}`);
  assert.ok((await page.textContent(`#details-${spanId}`)).includes('span.kind'), 'span details show tags');

  // 3. The error span is one click away.
  await page.click('#next-error');
  const selected = page.locator('.wf-row.selected.error');
  await selected.first().waitFor();
  assert.ok((await page.locator('.span-details').last().textContent()).length > 0);
  assert.ok(await page.locator('.wf-row.critical').count() > 0, 'critical path highlighted');
  await page.screenshot({ path: join(artifacts, 'trace.png'), fullPage: true });

  // 4. Collapse: the tree hides children.
  await page.locator('#waterfall .wf-row').first().locator('.toggle').click();
  assert.equal(await page.locator('#waterfall .wf-row').count(), 1, 'collapsing the root hides its subtree');

  // 5. Hostile span data renders as text.
  await page.goto(`${base}/trace/${ids.evil}`);
  await page.waitForSelector('#trace-title');
  assert.equal(await page.textContent('#trace-title'), 'gateway: <img src=x onerror=alert(1)>');
  assert.equal(await page.locator('main img').count(), 0, 'no <img> element created from span data');
  await page.locator('#waterfall .wf-row').first().click();
  assert.ok((await page.textContent('#waterfall')).includes('<script>alert(2)</script>'));
  assert.equal(await page.locator('main script').count(), 0);
  await page.screenshot({ path: join(artifacts, 'escaping.png'), fullPage: true });

  // 6. Service map.
  await page.goto(`${base}/dependencies`);
  await page.waitForSelector('#deps-graph');
  const graphText = await page.textContent('#deps-graph');
  for (const service of ['gateway', 'users', 'orders', 'payments']) assert.ok(graphText.includes(service), `map shows ${service}`);
  assert.ok(graphText.includes('% err'), 'edges show error rates');
  await page.screenshot({ path: join(artifacts, 'dependencies.png'), fullPage: true });

  // 7. Unknown trace: a clean message.
  await page.goto(`${base}/trace/0123456789abcdef0123456789abcdef`);
  await page.waitForSelector('#trace-error');

  await new Promise((r) => setTimeout(r, 300));  // let a delayed onerror fire, if any
  assert.deepEqual(dialogs, [], 'no dialog fired');
  assert.deepEqual(pageErrors, [], 'no page errors');
  console.log(`PASS: trace store UI (screenshots in ${artifacts})`);
} catch (error) {
  failed = true;
  console.error('FAIL:', error);
  console.error('dialogs:', dialogs, 'page errors:', pageErrors);
} finally {
  if (browser) await browser.close().catch(() => {});
  store.kill('SIGTERM');
  if (profile) rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
