import { createTrafficGenerator } from './ingest/simulator/traffic-model.js';
import { DEMO_DISTRIBUTIONS } from './ingest/simulator/demo-distributions.js';
import { layoutOf } from './processor/fields/layout.js';
import { DEFAULT_LOCAL_FIELD_NAMES, F } from './processor/fields/catalogue.js';
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const start = Date.UTC(2025, 5, 1, 12, 0, 0);
const g = createTrafficGenerator({ seed: 1, distributions: DEMO_DISTRIBUTIONS, layout, startMs: start });
const per: Record<string, [number, number]> = {}; const det: Record<string, number> = {};
for (let s = 1; s <= 600; s++) for (const l of g.linesAt(start + s * 1000, 33, 1000)) { const v = l.split('\t'); const k = v[F.x_host_header]! + ' ' + (v[F.cmcd_stream_type] ?? ''); per[k] ??= [0, 0]; per[k][1]++; const r = v[F.x_edge_result_type]; if (r === 'Hit' || r === 'RefreshHit') per[k][0]++; else det[v[F.x_edge_detailed_result_type]! + ' ' + v[F.x_host_header]!.slice(0, 3)] = (det[v[F.x_edge_detailed_result_type]! + ' ' + v[F.x_host_header]!.slice(0, 3)] ?? 0) + 1; }
for (const [k, [h, n]] of Object.entries(per)) console.log(k, n, (h / n).toFixed(3));
console.log(det);
