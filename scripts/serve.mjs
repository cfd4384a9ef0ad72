// `npm run serve`: the playground (examples/web/dist/, made by `npm run build:web`, or first here when
// it is missing) as plain static
// files on http://127.0.0.1:$PORT/ (PORT defaults to 8080). No cross-origin isolation headers: the
// page needs none.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
export const WEB_DIR = join(root, 'examples/web/dist');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.safetensors': 'application/octet-stream',
};

/** Serves `dir` on 127.0.0.1:`port` (0: any free port). Resolves to { server, url }. */
export function serve({ port = 8080, dir = WEB_DIR } = {}) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const file = join(dir, path === '' ? 'index.html' : path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  if (!existsSync(join(WEB_DIR, 'index.html'))) {
    console.log('examples/web/dist/ is missing: building it first (npm run build:web)');
    const { buildWeb } = await import('./build-web.mjs');
    await buildWeb();
  }
  const port = process.env.PORT ? Number(process.env.PORT) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error(`PORT: expected a port number, got ${process.env.PORT}`); process.exit(1); }
  const { url } = await serve({ port });
  console.log(`wasm-rnn playground: ${url}  (Ctrl-C to stop)`);
}
