// UTF-8 for file headers (safetensors JSON, ONNX names). Uses TextEncoder/TextDecoder where the
// runtime has them; AudioWorklet scopes have neither, so a small codec stands in. This is text
// handling, not numeric work.

let decoder: TextDecoder | null = null;
let encoder: TextEncoder | null = null;

/**
 * Decodes UTF-8, or returns null when the bytes are not valid UTF-8. A leading byte-order mark is
 * kept as U+FEFF, not dropped (so a safetensors header starting with one is seen, and rejected).
 */
export function decodeUtf8(b: Uint8Array): string | null {
  if (typeof TextDecoder === 'function') {
    decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    // TextDecoder refuses views of a SharedArrayBuffer: decode a copy
    const shared = typeof SharedArrayBuffer === 'function' && b.buffer instanceof SharedArrayBuffer;
    try { return decoder.decode(shared ? b.slice() : b); } catch { return null; }
  }
  let s = '';
  const units: number[] = [];
  for (let i = 0; i < b.length;) {
    const c = b[i];
    let cp: number, n: number;
    if (c < 0x80) { cp = c; n = 0; }
    else if (c >= 0xc2 && c < 0xe0) { cp = c & 0x1f; n = 1; }
    else if (c >= 0xe0 && c < 0xf0) { cp = c & 0x0f; n = 2; }
    else if (c >= 0xf0 && c < 0xf5) { cp = c & 0x07; n = 3; }
    else return null;
    if (i + n >= b.length + (n ? 0 : 1)) return null;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if ((d & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (d & 0x3f);
    }
    // overlong forms, surrogates and values past U+10FFFF are not UTF-8
    if ((n === 2 && cp < 0x800) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    if (cp < 0x10000) units.push(cp);
    else units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    if (units.length >= 4096) { s += String.fromCharCode(...units); units.length = 0; }
    i += n + 1;
  }
  return s + String.fromCharCode(...units);
}

/** Encodes a string as UTF-8. */
export function encodeUtf8(s: string): Uint8Array {
  if (typeof TextEncoder === 'function') return (encoder ??= new TextEncoder()).encode(s);
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}
