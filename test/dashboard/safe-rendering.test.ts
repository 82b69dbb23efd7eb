/**
 * Log values (URIs, user agents, referrers) are attacker-controlled: the dashboard builds DOM with
 * text nodes and setAttribute only. This keeps markup-parsing sinks out of its sources; the browser
 * test shows a hostile user agent staying text in the live tail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SOURCES = path.resolve(import.meta.dirname, '../../dashboard/src');

const SINKS: readonly [string, RegExp][] = [
  ['innerHTML', /\binnerHTML\b/],
  ['outerHTML', /\bouterHTML\b/],
  ['insertAdjacentHTML', /\binsertAdjacentHTML\b/],
  ['document.write', /\bdocument\.write(ln)?\s*\(/],
  ['d3 .html()', /\.html\s*\(/],
  ['createContextualFragment', /\bcreateContextualFragment\b/],
  ['DOMParser', /\bDOMParser\b/],
  ['srcdoc', /\bsrcdoc\b/],
  ['eval', /\beval\s*\(|new Function\s*\(/],
  ['javascript: URLs', /javascript:/i],
];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|html)$/.test(entry.name)) yield full;
  }
}

describe('safe rendering', () => {
  it('the dashboard never parses strings as markup or code', () => {
    const files = [...sourceFiles(SOURCES), path.resolve(SOURCES, '../index.html')];
    expect(files.length).toBeGreaterThan(20);
    const found: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const [name, pattern] of SINKS) if (pattern.test(text)) found.push(`${path.relative(SOURCES, file)}: ${name}`);
    }
    expect(found).toEqual([]);
  });

  it('index.html has no inline script or style', () => {
    const html = fs.readFileSync(path.resolve(SOURCES, '../index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });
});
