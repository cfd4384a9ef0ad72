// The determinism suite (test/runtimes/cases.mjs) in the two browser engines: Chromium (V8, driven by
// playwright-core) and Firefox ESR (SpiderMonkey, started bare: `firefox --headless --profile DIR URL`,
// since playwright-core's Firefox driver needs Playwright's patched build and its BiDi driver asks
// ESR for commands it lacks). The page, test/runtimes/browser.html, POSTs its results back to the
// local server here, so both browsers are driven the same way.
//
// Each browser reports four runtimes: NAME (main thread, <script type="module">, init()),
// NAME-slim (wasm-rnn/slim + init(fetch(.wasm))), NAME-worker (module Web Worker, initSync()) and
// NAME-worklet (AudioWorklet in an OfflineAudioContext, initSync()).
// Prints `runtime NAME: 8/8 hashes match (...)` per runtime and ends with `N passed, N failed`.
//
// Usage: node scripts/test-browsers.mjs [chromium] [firefox]   (default: both; uses the built dist/)
// Needs: apt-get install -y chromium firefox-esr (paths: $CHROMIUM_PATH, $FIREFOX_PATH to override).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { compare, loadGolden, report } from '../test/runtimes/golden.mjs';

const root = new URL('..', import.meta.url).pathname;
const KINDS = ['main', 'slim', 'worker', 'worklet'];
const TIMEOUT_MS = 120_000;
const firstLine = (t) => String(t).split('\n')[0];
const runtimeName = (browser, kind) => (kind === 'main' ? browser : `${browser}-${kind}`);

const BROWSERS = {
  chromium: { exe: process.env.CHROMIUM_PATH || '/usr/bin/chromium', launch: launchChromium },
  firefox: { exe: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr', launch: launchFirefox },
};
const chosen = process.argv.slice(2).filter((a) => a in BROWSERS);
const browsers = chosen.length ? chosen : Object.keys(BROWSERS);

for (const f of ['dist/index.js', 'dist/slim.js', 'dist/wasm-rnn.wasm']) {
  if (!existsSync(root + f)) { console.log(`${f} is missing: run node scripts/build.mjs (or npm test) first`); console.log('0 passed, 1 failed'); process.exit(1); }
}
const golden = loadGolden();

// ---- the local server: static files from dist/ and test/runtimes/, results by POST ----
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json' };
const notFound = new Set();
const pending = {}; // browser → { results: {kind: body}, errors: [], done(), wake }
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const m = /^\/result\/([a-z]+)\/([a-z]+)$/.exec(url.pathname);
  if (req.method === 'POST' && m) {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      res.writeHead(204).end();
      const p = pending[m[1]];
      if (!p) return;
      let data;
      try { data = JSON.parse(body); } catch { data = { error: 'unparseable result: ' + body.slice(0, 200) }; }
      if (m[2] === 'error') { p.errors.push(data.error); p.onError(); } else { p.results[m[2]] = data; p.wake(); }
    });
    return;
  }
  const rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
  if (req.method !== 'GET' || !/^(dist|test\/runtimes)\/[^/]/.test(rel) || rel.includes('..') || !existsSync(root + rel)) {
    notFound.add(url.pathname);
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(readFileSync(root + rel));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

/**
 * Resolves when the page has reported every kind, or: 10 s after the page reported an error (a
 * module that failed to load reports nothing else), at once when the browser went away
 * (p.abort), or after TIMEOUT_MS.
 */
function waitForResults(browser) {
  return new Promise((resolve) => {
    const p = { results: {}, errors: [], wake: () => {}, onError: () => {}, abort: () => {} };
    let grace = null;
    const timer = setTimeout(() => { p.errors.push(`timed out after ${TIMEOUT_MS / 1000} s`); finish(); }, TIMEOUT_MS);
    const finish = () => { clearTimeout(timer); clearTimeout(grace); p.wake = p.onError = p.abort = () => {}; resolve(p); };
    p.wake = () => { if (KINDS.every((k) => k in p.results)) finish(); };
    p.onError = () => { grace ??= setTimeout(finish, 10_000); };
    p.abort = (why) => { p.errors.push(why); finish(); };
    pending[browser] = p;
  });
}

// ---- Chromium: playwright-core with Debian's chromium ----
async function launchChromium(exe, url, log, abort) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: exe, timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error') log.push('console: ' + msg.text()); });
  page.on('pageerror', (e) => log.push('pageerror: ' + e.message));
  page.on('crash', () => abort('the page crashed'));
  browser.on('disconnected', () => abort('chromium went away'));
  await page.goto(url);
  return { version: 'Chromium ' + browser.version(), close: () => browser.close() };
}

// ---- Firefox: Debian's firefox-esr, a fresh profile, the URL on the command line ----
const FIREFOX_PREFS = {
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'startup.homepage_welcome_url': '',
  'startup.homepage_welcome_url.additional': '',
  'browser.aboutwelcome.enabled': false,
  'browser.sessionstore.resume_from_crash': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'toolkit.startup.max_resumed_crashes': -1,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.autoDisableScopes': 0,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'browser.newtabpage.enabled': false,
  'browser.region.network.url': '',
  'browser.search.geoip.url': '',
  'media.gmp-manager.url': '',
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'browser.ping-centre.telemetry': false,
  'dom.disable_open_during_load': false,
};

async function launchFirefox(exe, url, log, abort) {
  const profile = mkdtempSync(join(tmpdir(), 'wasm-rnn-firefox-'));
  writeFileSync(join(profile, 'user.js'), Object.entries(FIREFOX_PREFS).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n') + '\n');
  const version = await new Promise((resolve) => {
    const v = spawn(exe, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    v.stdout.on('data', (d) => { out += d; });
    v.on('close', () => resolve(firstLine(out.trim()) || 'firefox'));
    v.on('error', () => resolve('firefox'));
  });
  // its own process group (detached), so closing ends Firefox's content processes too
  const child = spawn(exe, ['--headless', '--no-remote', '--profile', profile, url], {
    detached: true, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, HOME: profile, MOZ_HEADLESS: '1', MOZ_CRASHREPORTER_DISABLE: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  let exited = false;
  const exit = new Promise((resolve) => child.on('close', (code) => { exited = true; resolve(code); }));
  child.on('error', (e) => log.push('spawn: ' + e.message));
  exit.then((code) => abort(`firefox exited (code ${code}) before the page reported: ${stderr.slice(-1500)}`));
  return {
    version,
    close: async () => {
      if (!exited) {
        try { process.kill(-child.pid, 'SIGTERM'); } catch {}
        const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} }, 5000);
        await exit;
        clearTimeout(t);
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// ---- run ----
async function runBrowser(name) {
  const { exe, launch } = BROWSERS[name];
  const t0 = Date.now();
  const log = [];
  if (!existsSync(exe)) return { name, error: `${exe} not found (apt-get install -y chromium firefox-esr)`, log, ms: 0 };
  const results = waitForResults(name);
  let handle = null;
  try {
    handle = await launch(exe, `${origin}/test/runtimes/browser.html?browser=${name}`, log, (why) => pending[name].abort(why));
  } catch (e) {
    pending[name].abort('launch failed');
    return { name, error: 'launch failed: ' + (e?.message ?? e), log, ms: Date.now() - t0 };
  }
  const p = await results;
  const ms = Date.now() - t0;
  await handle.close().catch((e) => log.push('close: ' + e.message));
  return { name, version: handle.version, results: p.results, errors: p.errors, log, ms };
}

const t0 = Date.now();
const runs = await Promise.all(browsers.map(runBrowser));
server.close();
let passed = 0, failed = 0;
for (const r of runs) {
  console.log(`browser ${r.name}: ${r.version ?? 'not started'}, ${(r.ms / 1000).toFixed(1)} s`);
  const details = [];
  for (const kind of KINDS) {
    const runtime = runtimeName(r.name, kind);
    const res = r.results?.[kind];
    if (!res || res.error) {
      failed++;
      if (res?.error) details.push(`${runtime}: ${res.error}`);
      console.log(`runtime ${runtime}: FAILED: ${firstLine(res?.error ?? r.error ?? r.errors?.[0] ?? 'no result')}`);
      continue;
    }
    const cmp = compare(golden, res);
    console.log(report(runtime, res, cmp));
    if (cmp.ok) passed++; else failed++;
  }
  if (r.error) details.push(r.error);
  details.push(...(r.errors ?? []), ...r.log);
  for (const l of details) console.log(`  ${r.name}: ${String(l).split('\n').join('\n    ')}`);
}
if (notFound.size) console.log(`not found (404): ${[...notFound].join(', ')}`);
console.log(`browsers done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
