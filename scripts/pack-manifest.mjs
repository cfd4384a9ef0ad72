// The package.json inside the tarball, without `scripts.prepare`.
//
// `prepare` builds dist/ on `npm install`/`npm ci` in this repository and for git installs. In a
// tarball it would do nothing (npm runs no `prepare` for a tarball or registry dependency), but
// npm 11 lists it anyway when a user installs the tarball by file (`npm install ./wasm-rnn-0.1.0.tgz`):
// "npm warn install-scripts 1 package has install scripts not yet covered by allowScripts".
// So `npm pack`/`npm publish` run `prepack` (build, then `strip`: package.json without `prepare`,
// the original kept in build/) and `postpack` (`restore`), as pinst does for husky's postinstall.
//
// Usage: node scripts/pack-manifest.mjs strip | restore
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const manifest = root + 'package.json';
const saved = root + 'build/package.json.before-pack';

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest);
}

const cmd = process.argv[2];
if (cmd === 'strip') {
  restore();   // a pack that failed before its postpack left a stripped package.json: start from the original
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  if (pkg.scripts?.prepare) {
    mkdirSync(root + 'build', { recursive: true });
    writeFileSync(saved, text);
    delete pkg.scripts.prepare;
    writeFileSync(manifest, JSON.stringify(pkg, null, 2) + '\n');
  }
} else if (cmd === 'restore') {
  restore();
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip | restore');
  process.exit(2);
}
