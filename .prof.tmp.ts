import { createTrafficGenerator } from './ingest/simulator/traffic-model.js';
import { DEMO_DISTRIBUTIONS } from './ingest/simulator/demo-distributions.js';
import { layoutOf } from './processor/fields/layout.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from './processor/fields/catalogue.js';
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const start = Date.UTC(2025, 5, 1, 18, 0, 0);
const g = createTrafficGenerator({ seed: 1, distributions: DEMO_DISTRIBUTIONS, layout, startMs: start });
const N = 100000; const t0 = performance.now(); let n = 0; let tt = start;
while (n < N) { tt += 250; n += g.linesAt(tt, 1000, 250).length; }
const dt = performance.now() - t0; console.log('lines/s', Math.round(N / dt * 1000));
