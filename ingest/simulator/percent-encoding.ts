/**
 * CloudFront's percent-encoding of log values (reference §1.2): bytes 0–32 and 127+, and
 * `< > " # % { } | \ ^ ~ [ ] ` '` are written as `%XX` (UTF-8 bytes, uppercase hex). Everything else,
 * including `; ( ) / , : = & ?`, stays literal. After this, a value never holds a raw tab, newline or space.
 */

const HEX = '0123456789ABCDEF';
const ESCAPED_ASCII = new Uint8Array(128);
for (let c = 0; c <= 32; c++) ESCAPED_ASCII[c] = 1;
for (const ch of '<>"#%{}|\\^~[]`\'') ESCAPED_ASCII[ch.charCodeAt(0)] = 1;
ESCAPED_ASCII[127] = 1;

function byteEscape(byte: number): string {
  return '%' + (HEX[byte >> 4] ?? '0') + (HEX[byte & 15] ?? '0');
}

function needsEscaping(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ESCAPED_ASCII[c] === 1) return i;
  }
  return -1;
}

const EXTRA = /[#~']/g;
const EXTRA_ESCAPES: Readonly<Record<string, string>> = { '#': '%23', '~': '%7E', "'": '%27' };

/** Encodes one value as CloudFront writes it; an empty value becomes `-`. */
export function encodeLogValue(text: string): string {
  if (text === '') return '-';
  const first = needsEscaping(text);
  if (first < 0) return text;
  try {
    // encodeURI escapes exactly CloudFront's set except `#`, `~` and `'`; it is native and returns a
    // flat string. It throws only on lone surrogates, which the byte loop below handles.
    return encodeURI(text).replace(EXTRA, (c) => EXTRA_ESCAPES[c] ?? c);
  } catch {
    return encodeByBytes(text, first);
  }
}

function encodeByBytes(text: string, first: number): string {
  let out = text.slice(0, first);
  for (let i = first; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      out += ESCAPED_ASCII[c] === 1 ? byteEscape(c) : text[i];
      continue;
    }
    // Non-ASCII: encode the code point's UTF-8 bytes.
    const cp = text.codePointAt(i) ?? c;
    if (cp > 0xffff) i++;
    for (const byte of Buffer.from(String.fromCodePoint(cp), 'utf8')) out += byteEscape(byte);
  }
  return out;
}

/** `encodeLogValue` for values that may be absent. */
export function encodeOptional(text: string | null | undefined): string {
  return text === null || text === undefined ? '-' : encodeLogValue(text);
}

const MEMO_LIMIT = 20_000;
const memo = new Map<string, string>();

/**
 * `encodeLogValue` for values drawn from small fixed sets (user agents, Accept headers, content
 * types, header names): remembers the encoding. Do not use it for per-request values.
 */
export function encodeRepeated(text: string): string {
  let encoded = memo.get(text);
  if (encoded === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    encoded = encodeLogValue(text);
    memo.set(text, encoded);
  }
  return encoded;
}
