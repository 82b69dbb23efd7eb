import { describe, expect, it } from 'vitest';
import { encodeLogValue, encodeOptional, encodeRepeated } from '../../ingest/simulator/percent-encoding.js';
import { percentDecode } from '../../processor/parse/percent-decode.js';

/** The reference rule, byte by byte: 0–32, 127+ and `<>"#%{}|\^~[]`'` become %XX. */
function reference(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const escaped = byte <= 32 || byte >= 127 || '<>"#%{}|\\^~[]`\''.includes(String.fromCharCode(byte));
    out += escaped ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}

describe('encodeLogValue', () => {
  it('encodes every ASCII character as CloudFront does', () => {
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      expect(encodeLogValue(`a${ch}b`)).toBe(reference(`a${ch}b`));
    }
  });

  it('keeps the characters real records show literally', () => {
    const ua = 'Mozilla/5.0 (iPhone; CPU iPhone OS 13_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)';
    expect(encodeLogValue(ua)).toBe('Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2013_7%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)');
    expect(encodeLogValue('if-none-match:"c22"\naccept:*/*\n')).toBe('if-none-match:%22c22%22%0Aaccept:*/*%0A');
    expect(encodeLogValue('url=http%3A%2F%2Fx')).toBe('url=http%253A%252F%252Fx');
  });

  it('encodes non-ASCII text as UTF-8 bytes, lone surrogates as U+FFFD', () => {
    for (const text of ['café', '€ 5', '😀', 'naïve art', 'x\uD800y']) expect(encodeLogValue(text)).toBe(reference(text));
  });

  it('writes `-` for empty or absent values', () => {
    expect(encodeLogValue('')).toBe('-');
    expect(encodeOptional(null)).toBe('-');
    expect(encodeOptional(undefined)).toBe('-');
    expect(encodeRepeated('a b')).toBe('a%20b');
  });

  it('decodes back to the original with the processor’s decoder', () => {
    for (const text of ['a b\tc\nd', '"%41"', 'ü~#[]', 'GET /x?q=1&r=%2F']) expect(percentDecode(encodeLogValue(text))).toBe(text);
  });
});
