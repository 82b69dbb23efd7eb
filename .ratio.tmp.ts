import { createTrafficGenerator } from './ingest/simulator/traffic-model.js';
import { DEMO_DISTRIBUTIONS } from './ingest/simulator/demo-distributions.js';
import { layoutOf } from './processor/fields/layout.js';
import { DEFAULT_LOCAL_FIELD_NAMES, F } from './processor/fields/catalogue.js';
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
for (const seed of [1, 2, 3, 42, 1234]) for (const hour of [3, 12, 20]) {
  const start = Date.UTC(2025, 5, 1, hour, 0, 0);
  const g = createTrafficGenerator({ seed, distributions: DEMO_DISTRIBUTIONS, layout, startMs: start });
  let hits = 0, n = 0;
  for (let s = 1; s <= 600; s++) for (const l of g.linesAt(start + s * 1000, 33, 1000)) { n++; const r = l.split('\t')[F.x_edge_result_type]; if (r === 'Hit' || r === 'RefreshHit') hits++; }
  process.stdout.write(`${seed}/${hour}: ${(hits / n).toFixed(3)}  `);
}
console.log();
