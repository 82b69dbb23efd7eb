import { createTrafficGenerator } from './ingest/simulator/traffic-model.js';
import { DEMO_DISTRIBUTIONS } from './ingest/simulator/demo-distributions.js';
import { layoutOf } from './processor/fields/layout.js';
import { DEFAULT_LOCAL_FIELD_NAMES } from './processor/fields/catalogue.js';
for (const [name, fields] of [['default', DEFAULT_LOCAL_FIELD_NAMES], ['no-headers', DEFAULT_LOCAL_FIELD_NAMES.filter((n) => n !== 'cs-headers' && n !== 'cs-header-names')], ['small', ['timestamp','c-ip','sc-status','cs-method','cs-uri-stem','x-edge-location','x-edge-request-id','x-host-header','x-edge-result-type','x-edge-detailed-result-type','c-country','asn']]] as const) {
  const layout = layoutOf(fields);
  const start = Date.UTC(2025, 5, 1, 18, 0, 0);
  const g = createTrafficGenerator({ seed: 1, distributions: DEMO_DISTRIBUTIONS, layout, startMs: start });
  let best = 0; let bestCpu = 0; let tt = start;
  for (let rep = 0; rep < 4; rep++) {
    const N = 50000; const t0 = performance.now(); const c0 = process.cpuUsage(); let n = 0;
    while (n < N) { tt += 250; n += g.linesAt(tt, 1000, 250).length; }
    const c = process.cpuUsage(c0);
    best = Math.max(best, N / (performance.now() - t0) * 1000);
    bestCpu = Math.max(bestCpu, N / ((c.user + c.system) / 1000) * 1000);
  }
  console.log(name, 'wall', Math.round(best), 'cpu', Math.round(bestCpu));
}
