/**
 * Percent-decoding of CloudFront log values. CloudFront encodes a client's own `%` as `%25`, so values
 * are decoded exactly once. Malformed sequences (`%zz`, a lone `%`) are kept as written and invalid
 * UTF-8 becomes U+FFFD: attacker-controlled text never makes decoding throw.
 *
 * Decoding goes through a reusable byte buffer and Buffer's native UTF-8 decoder: several times faster
 * than `decodeURIComponent` on long values such as `cs-headers`, and tolerant by construction.
 */

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

let scratch = Buffer.allocUnsafe(16 * 1024);

function hexAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? HEX[c]! : -1;
}

export function percentDecode(text: string): string {
  const first = text.indexOf('%');
  if (first === -1) return text;
  // Every input char yields at most 3 UTF-8 bytes (4 for a surrogate pair, which is 2 chars).
  if (scratch.length < text.length * 3) scratch = Buffer.allocUnsafe(text.length * 3);
  const out = scratch;
  let o = first === 0 ? 0 : out.write(text.slice(0, first), 0, 'utf8');
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < text.length) {
      const hi = hexAt(text, i + 1);
      const lo = hi < 0 ? -1 : hexAt(text, i + 2);
      if (lo >= 0) {
        out[o++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    if (c < 0x80) {
      out[o++] = c;
    } else {
      // Raw non-ASCII text (CloudFront encodes it, but stay correct): copy the character as UTF-8.
      const width = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
      o += out.write(text.slice(i, i + width), o, 'utf8');
      i += width - 1;
    }
  }
  return out.toString('utf8', 0, o);
}
