// The UTF-8 fallback used where TextEncoder/TextDecoder are missing (AudioWorklet scopes):
// same bytes and the same accept/reject decisions as the platform codec.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeUtf8, encodeUtf8 } from '../src/utf8.js';

const TD = globalThis.TextDecoder, TE = globalThis.TextEncoder;
function withoutCodec<T>(fn: () => T): T {
  const g = globalThis as Record<string, unknown>;
  delete g.TextDecoder; delete g.TextEncoder;
  try { return fn(); } finally { g.TextDecoder = TD; g.TextEncoder = TE; }
}

test('fallback encodes and decodes like TextEncoder/TextDecoder', () => {
  for (const s of ['', 'abc', 'héllo', '日本語', '😀 emoji', '{"weight_ih_l0":{"dtype":"F32","shape":[4,3]}}']) {
    const enc = withoutCodec(() => encodeUtf8(s));
    assert.equal(Array.from(enc), Array.from(new TE().encode(s)), s);
    assert.is(withoutCodec(() => decodeUtf8(enc)), s);
  }
});

test('fallback rejects what a fatal TextDecoder rejects', () => {
  for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff], [0x80], [0xf4, 0x90, 0x80, 0x80], [0x61, 0xe2, 0x82, 0xac]]) {
    let valid = true;
    try { new TD('utf-8', { fatal: true }).decode(Uint8Array.from(bad)); } catch { valid = false; }
    assert.is(withoutCodec(() => decodeUtf8(Uint8Array.from(bad))) !== null, valid, String(bad));
  }
});

test.run();
