// Browser test of the gateway's /docs (issue 4): headless Chromium renders Swagger UI from the
// gateway's own /openapi.json, every operation of the route table shows up, no script error.
//
//   node docs_test.mjs /path/to/tracing-demo /path/to/artifacts
// Exit codes: 0 pass, 1 fail, 77 skipped (chromium or node_modules missing).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { freePort, launchChromium, skipUnlessBrowserAvailable, waitFor } from './harness.mjs';

skipUnlessBrowserAvailable();
const [binary, artifacts = join(process.cwd(), 'browser-artifacts')] = process.argv.slice(2);
if (!binary || !existsSync(binary)) {
  console.error('usage: node docs_test.mjs TRACING_DEMO_BINARY [ARTIFACT_DIR]');
  process.exit(1);
}
mkdirSync(artifacts, { recursive: true });
const port = await freePort();
const data = mkdtempSync(join(tmpdir(), 'tdemo-docs-'));
const app = spawn(binary, ['gateway', '--port', String(port), '--data-dir', data],
  { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', LOG_LEVEL: 'warning' } });
let browser, profile;
let failed = false;
const pageErrors = [];
try {
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/openapi.json`);
  const spec = await (await fetch(`${base}/openapi.json`)).json();
  const operations = Object.values(spec.paths).flatMap((item) => Object.keys(item)).length;
  assert.ok(operations >= 8, `the spec lists ${operations} operations`);

  ({ browser, profile } = await launchChromium());
  const page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(`${base}/docs`);
  await page.waitForSelector('.swagger-ui .opblock', { timeout: 20000 });
  const shown = await page.locator('.swagger-ui .opblock').count();
  assert.equal(shown, operations, 'Swagger UI shows every operation of /openapi.json');
  const title = await page.locator('.swagger-ui .info .title').innerText();
  assert.match(title, new RegExp(spec.info.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await page.screenshot({ path: join(artifacts, 'gateway-docs.png'), fullPage: false });
  assert.deepEqual(pageErrors, [], 'no script errors on /docs');
  console.log(`PASS: gateway /docs renders ${shown} operations (screenshot in ${artifacts})`);
} catch (error) {
  failed = true;
  console.error('FAIL:', error, 'page errors:', pageErrors);
} finally {
  if (browser) await browser.close().catch(() => {});
  app.kill('SIGTERM');
  if (profile) rmSync(profile, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
