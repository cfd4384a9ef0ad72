// The browser playground (examples/web/) in headless Chromium, as a user meets it: built with
// scripts/build-web.mjs, served as plain static files by scripts/serve.mjs (no cross-origin
// isolation), driven with playwright-core and Debian's chromium (as scripts/test-browsers.mjs does).
// The name classifier trains in its Web Worker to the accuracy target, the plots get points, typing
// names shows probabilities, the character-model tab streams text, and no console error appears.
// Saves build/playground.png.
import { existsSync, mkdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, manualSeed } from '../dist/index.js';
import { loadNames, split } from '../examples/data/npm.js';
import { NameClassifier } from '../examples/models.js';
import { trainNames, type EpochEvent } from '../examples/train.js';
// @ts-ignore plain ESM scripts
import { buildWeb } from '../scripts/build-web.mjs';
// @ts-ignore
import { serve } from '../scripts/serve.mjs';

const root = new URL('..', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TARGET = 0.8;

test('playground: trains to the target in a worker, plots, classifies as you type, generates text, no console errors', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: the playground test needs Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  await buildWeb({ quiet: true });
  const { server, url } = await serve({ port: 0 });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM, timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const errors: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 760, height: 1000 } });
    page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
    page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
    page.on('requestfailed', (r) => errors.push('request failed: ' + r.url()));
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
    await page.goto(url);
    assert.is(await page.evaluate(() => (self as any).crossOriginIsolated), false, 'plain static files: no cross-origin isolation');

    // training, with the plot drawn while it runs
    await page.waitForSelector('#plot-acc polyline.test', { timeout: 60_000 });
    const during = await page.$eval('#status', (e) => e.getAttribute('data-state'));
    await page.waitForSelector('#status[data-state=done], #status[data-state=error]', { timeout: 120_000 });
    const statusText = await page.$eval('#status', (e) => e.textContent ?? '');
    assert.is(await page.$eval('#status', (e) => e.getAttribute('data-state')), 'done', statusText);
    assert.is(during, 'training', 'the first plot points arrived while training');
    const acc = Number(await page.$eval('#status', (e) => e.getAttribute('data-test-accuracy')));
    assert.ok(acc >= TARGET, `test accuracy ${acc} < ${TARGET}: ${statusText}`);
    assert.match(statusText, /test accuracy \d+\.\d%/);
    // the same training in Node (same seed, data, code): the same confusion counts, so the same accuracy
    await init();
    manualSeed(1);
    const data = loadNames();
    const node = [...trainNames(new NameClassifier({ vocab: data.vocab }), data, split(data.names.length, 0.2, 1), { epochs: 4, batchSize: 32, lr: 0.01, seed: 1 })]
      .filter((e): e is EpochEvent => e.type === 'epoch').pop()!;
    assert.is(acc, node.testAccuracy, 'Chromium\'s test accuracy is Node\'s');
    assert.equal(JSON.parse(await page.$eval('#confusion', (t) => JSON.stringify(Array.from(t.querySelectorAll('tr')).slice(1).map((r) => Array.from(r.querySelectorAll('td')).map((d) => Number(d.textContent)))))), node.confusion);
    const counts = await page.$$eval('.plot polyline', (ps) => ps.map((p) => [p.closest('svg')!.id, p.getAttribute('class'), Number(p.getAttribute('data-n')), p.getAttribute('points')!.trim().split(/\s+/).length]));
    for (const id of ['plot-loss', 'plot-acc']) for (const cls of ['train', 'test']) {
      const c = counts.find(([i, k]) => i === id && k === cls);
      assert.ok(c && (c[2] as number) >= 8 && c[2] === c[3], `${id} ${cls}: ${JSON.stringify(c)} (≥ 8 points expected: 5 a epoch)`);
    }

    // typing: probabilities as bars and as percentages, for each prefix as it is typed
    const classify = async (name: string) => {
      await page.fill('#name', '');
      await page.type('#name', name, { delay: 15 });
      await page.waitForFunction((n) => document.getElementById('probs')!.dataset.text === n, name, { timeout: 10_000 });
      return page.$$eval('#probs .row', (rows) => rows.map((r) => ({
        cls: (r as HTMLElement).dataset.class!, p: Number((r as HTMLElement).dataset.p),
        pct: r.querySelector('.pct')!.textContent!, width: (r.querySelector('.fill') as HTMLElement).style.width,
      })));
    };
    // common names, classified by gender with high confidence by any model at 80 %
    const cases: [string, string][] = [['Margaret', 'female'], ['Robert', 'male'], ['Elizabeth', 'female'], ['Richard', 'male'], ['Jennifer', 'female'], ['Thomas', 'male']];
    let right = 0;
    for (const [name, want] of cases) {
      const rows = await classify(name);
      assert.equal(rows.map((r) => r.cls), ['male', 'female']);
      const sum = rows.reduce((a, r) => a + r.p, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `${name}: probabilities sum to ${sum}`);
      for (const r of rows) {
        assert.is(r.pct, `${(100 * r.p).toFixed(1)}%`, 'the percentage shown is the probability');
        assert.ok(Math.abs(parseFloat(r.width) - 100 * r.p) <= 0.05 && r.width.endsWith('%'), `the bar is as wide as the probability: ${r.width} for ${r.p}`);
      }
      const best = rows[0].p > rows[1].p ? rows[0].cls : rows[1].cls;
      if (best === want) right++;
      assert.match(await page.$eval('#verdict', (e) => e.textContent ?? ''), new RegExp(`${name}.*→ (male|female)`));
    }
    assert.ok(right >= 5, `${right} of ${cases.length} common names classified right`);
    mkdirSync(root + 'build', { recursive: true });
    await page.fill('#name', '');
    await page.type('#name', 'Alex', { delay: 10 });
    await page.waitForFunction(() => document.getElementById('probs')!.dataset.text === 'Alex');
    await page.screenshot({ path: root + 'build/playground.png', fullPage: true });

    // the character model tab: a model (loaded or trained in the page) streams characters
    await page.click('#tab-lm');
    await page.waitForSelector('#generate:not([disabled])', { timeout: 60_000 });
    await page.click('#generate');
    await page.waitForFunction(() => (document.getElementById('generated')!.textContent ?? '').length >= 60, null, { timeout: 60_000 });
    assert.match(await page.$eval('#lm-latency', (e) => e.textContent ?? ''), /µs per character/);
    assert.equal(errors, [], errors.join('\n'));
  } finally {
    await browser.close();
    server.close();
  }
});

test.run();
