import { createTrafficGenerator } from './ingest/simulator/traffic-model.js';
import { DEMO_DISTRIBUTIONS } from './ingest/simulator/demo-distributions.js';
import { layoutOf } from './processor/fields/layout.js';
import { DEFAULT_LOCAL_FIELD_NAMES, F } from './processor/fields/catalogue.js';
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const start = Date.UTC(2025, 5, 1, 18, 0, 0);
const g = createTrafficGenerator({ seed: 7, distributions: DEMO_DISTRIBUTIONS, layout, startMs: start });
const lines: string[] = [];
let t = start;
for (let s = 0; s < 600; s++) { t += 1000; lines.push(...g.linesAt(t, 200, 1000)); }
const fs = await import('node:fs');
fs.writeFileSync('/tmp/sim/sample.tsv', lines.join(''));
const count = (f: number, filter?: (v: string[]) => boolean) => { const m: Record<string, number> = {}; for (const l of lines) { const v = l.slice(0, -1).split('\t'); if (filter && !filter(v)) continue; m[v[f]!] = (m[v[f]!] ?? 0) + 1; } return m; };
const hits = lines.filter((l) => { const r = l.split('\t')[F.x_edge_result_type]; return r === 'Hit' || r === 'RefreshHit'; }).length;
console.log('hit ratio', hits / lines.length);
for (const d of DEMO_DISTRIBUTIONS) { const ls = lines.filter((l) => l.split('\t')[F.x_host_header] === d.domainName); const h = ls.filter((l) => { const r = l.split('\t')[F.x_edge_result_type]; return r === 'Hit' || r === 'RefreshHit'; }).length; console.log(d.profile, ls.length, (h / ls.length).toFixed(3)); }
console.log(count(F.x_edge_detailed_result_type));
console.log(count(F.sc_status));
console.log(count(F.cs_protocol), count(F.c_country));
console.log(count(F.cmcd_streaming_format), count(F.cmcd_stream_type), count(F.cmcd_object_type));
console.log(count(F.ssl_protocol), count(F.ssl_cipher));
const geo = lines.filter((l) => l.includes('ClientGeoBlocked')).map((l) => Number(l.split('\t')[0]) * 1000 - start);
console.log('geo first', geo[0], 'last', geo[geo.length-1], g.geoBlockBurstsUntil(start + 700_000).map((b) => [b.startMs - start, b.endMs - start, b.countryCodes.join('+'), b.distributionIndex, b.intensity.toFixed(2)]));
