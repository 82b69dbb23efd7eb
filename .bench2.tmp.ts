import { createTrafficGenerator } from './ingest/simulator/traffic-model.js';
import { DEMO_DISTRIBUTIONS } from './ingest/simulator/demo-distributions.js';
import { layoutOf } from './processor/fields/layout.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from './processor/fields/catalogue.js';
const layout = layoutOf(DEFAULT_LOCAL_FIELD_NAMES);
const start = Date.UTC(2025, 5, 1, 18, 0, 0);
const g = createTrafficGenerator({ seed: 1, distributions: DEMO_DISTRIBUTIONS, layout, startMs: start });
const rates: number[] = []; let tt = start;
for (let rep = 0; rep < 12; rep++) {
  const N = 30000; const t0 = performance.now(); let n = 0;
  while (n < N) { tt += 250; n += g.linesAt(tt, 1000, 250).length; }
  rates.push(N / (performance.now() - t0) * 1000);
}
rates.sort((a, b) => b - a);
console.log('best', Math.round(rates[0]!), 'median', Math.round(rates[6]!));
