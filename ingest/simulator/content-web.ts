/**
 * The shop website: HTML pages, JS/CSS bundles, product images, fonts, in-page API calls and
 * analytics beacons. Within each class, objects are Zipf-popular; a class is picked by its share of
 * a browser's requests.
 */
import { basePlan, type CacheOdds, type ContentKind, type RequestPlan } from './request-plan.js';
import { weightsOf, zipfTable, type Rng, type WeightedTable } from './random.js';
import type { Viewer } from './viewers.js';

interface WebObject {
  readonly path: string;
  readonly query: string | null;
  readonly kind: ContentKind;
  readonly contentType: string;
  readonly bytes: number;
  readonly pathPattern: string;
  /** Miss share grows with rank; `rank` is 0..1 (0 = most popular). */
  readonly rank: number;
}

type WebClass = 'html' | 'script' | 'style' | 'image' | 'font' | 'api' | 'beacon' | 'misc';

const CLASS_SHARE = weightsOf<WebClass>({ html: 15, script: 17, style: 7, image: 46, font: 6, api: 4, beacon: 3, misc: 2 });

const CATEGORIES = ['shoes', 'jackets', 'bags', 'watches', 'outdoor', 'kids', 'home', 'kitchen', 'garden', 'sale', 'new-in', 'gifts'];
const WORDS = ['alpine', 'trail', 'urban', 'classic', 'merino', 'storm', 'cedar', 'harbor', 'nova', 'summit', 'drift', 'ember', 'coast', 'pioneer', 'lumen', 'atlas'];
const SEARCH_TERMS = ['running shoes', 'rain jacket', 'gift card', 'backpack 30l', 'wool socks', 'café au lait mug', 'sale 50%', 'kids boots', 'smart watch', '"trail runner"'];

const HTML_TYPE = 'text/html; charset=utf-8';
const ACCEPT_HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';
const ACCEPT_IMAGE = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

const ODDS: Readonly<Record<WebClass, CacheOdds | null>> = {
  html: { hit: 0.88, refreshHit: 0.05 },
  script: { hit: 0.99, refreshHit: 0.003 },
  style: { hit: 0.99, refreshHit: 0.003 },
  image: { hit: 0.965, refreshHit: 0.01 },
  font: { hit: 0.99, refreshHit: 0.002 },
  api: null,
  beacon: null,
  misc: { hit: 0.9, refreshHit: 0.05 },
};

function slug(rng: Rng): string {
  return `${rng.pick(WORDS)}-${rng.pick(WORDS)}-${rng.between(100, 9999)}`;
}

function ranked(items: Array<Omit<WebObject, 'rank'>>): WebObject[] {
  return items.map((o, i) => ({ ...o, rank: i / Math.max(1, items.length - 1) }));
}

export class WebContent {
  private readonly tables: Record<WebClass, WeightedTable<WebObject>>;
  private readonly pages: readonly WebObject[];

  constructor(rng: Rng, private readonly host: string) {
    const products = Array.from({ length: 320 }, () => slug(rng));
    const posts = Array.from({ length: 80 }, () => slug(rng));
    const hash = (): string => rng.hex(8);
    const html = (path: string, bytes: number, pattern = '*', query: string | null = null): Omit<WebObject, 'rank'> => ({
      path, query, kind: 'html', contentType: HTML_TYPE, bytes, pathPattern: pattern,
    });

    const pages = ranked([
      html('/', 48_000),
      html('/products', 62_000),
      // Signed-in pages run a Lambda@Edge authoriser (and so can fail with LambdaExecutionError).
      html('/account/orders', 18_000, '/account/*'),
      html('/checkout', 24_000, '/account/*'),
      ...CATEGORIES.map((c) => html(`/category/${c}`, 55_000)),
      html('/cart', 21_000),
      html('/search', 40_000, '*', 'q=running+shoes'),
      ...products.map((p) => html(`/products/${p}`, rng.between(35_000, 90_000))),
      ...posts.map((p) => html(`/blog/${p}`, rng.between(30_000, 70_000))),
      html('/about', 22_000),
      html('/help/shipping', 19_000),
      html('/help/returns', 18_000),
      html('/products', 62_000, '*', 'utm_source=newsletter&utm_medium=email&utm_campaign=spring'),
    ]);
    this.pages = pages;
    const chunks = Array.from({ length: 24 }, (_, i) => ({
      path: `/assets/js/chunk-${i}.${hash()}.js`, query: null, kind: 'script' as const,
      contentType: 'application/javascript', bytes: rng.between(4_000, 90_000), pathPattern: '/assets/*',
    }));
    const scripts = ranked([
      { path: `/assets/js/app.${hash()}.js`, query: null, kind: 'script', contentType: 'application/javascript', bytes: 184_233, pathPattern: '/assets/*' },
      { path: `/assets/js/vendor.${hash()}.js`, query: null, kind: 'script', contentType: 'application/javascript', bytes: 412_870, pathPattern: '/assets/*' },
      { path: `/assets/js/runtime.${hash()}.js`, query: null, kind: 'script', contentType: 'application/javascript', bytes: 3_104, pathPattern: '/assets/*' },
      ...chunks,
    ]);
    const styles = ranked([
      { path: `/assets/css/main.${hash()}.css`, query: null, kind: 'style', contentType: 'text/css', bytes: 96_410, pathPattern: '/assets/*' },
      { path: `/assets/css/product.${hash()}.css`, query: null, kind: 'style', contentType: 'text/css', bytes: 21_377, pathPattern: '/assets/*' },
      { path: `/assets/css/checkout.${hash()}.css`, query: null, kind: 'style', contentType: 'text/css', bytes: 12_018, pathPattern: '/assets/*' },
    ]);
    const fonts = ranked([
      { path: '/assets/fonts/inter-var.woff2', query: null, kind: 'font', contentType: 'font/woff2', bytes: 98_412, pathPattern: '/assets/*' },
      { path: '/assets/fonts/inter-var-italic.woff2', query: null, kind: 'font', contentType: 'font/woff2', bytes: 104_780, pathPattern: '/assets/*' },
      { path: '/assets/fonts/icons.woff2', query: null, kind: 'font', contentType: 'font/woff2', bytes: 14_220, pathPattern: '/assets/*' },
    ]);
    const imageItems: Array<Omit<WebObject, 'rank'>> = [
      { path: '/images/logo.svg', query: null, kind: 'image', contentType: 'image/svg+xml', bytes: 4_812, pathPattern: '/images/*' },
      ...Array.from({ length: 8 }, (_, i) => ({
        path: `/images/banners/spring-${i + 1}.avif`, query: null, kind: 'image' as const, contentType: 'image/avif', bytes: rng.between(60_000, 220_000), pathPattern: '/images/*',
      })),
    ];
    for (const p of products) {
      for (let n = 1; n <= 3; n++) {
        const width = rng.pick([400, 800, 1200]);
        imageItems.push({
          path: `/images/products/${p}-${n}.webp`, query: `w=${width}&q=75`, kind: 'image', contentType: 'image/webp',
          bytes: Math.round(width * width * 0.09 * rng.uniform(0.6, 1.4)), pathPattern: '/images/*',
        });
      }
    }
    imageItems.push(...posts.map((p) => ({
      path: `/images/blog/${p}.jpg`, query: null, kind: 'image' as const, contentType: 'image/jpeg', bytes: rng.between(80_000, 400_000), pathPattern: '/images/*',
    })));
    const images = ranked(imageItems);
    const api = ranked([
      { path: '/api/cart', query: null, kind: 'api', contentType: 'application/json', bytes: 1_840, pathPattern: '/api/*' },
      { path: '/api/session', query: null, kind: 'api', contentType: 'application/json', bytes: 612, pathPattern: '/api/*' },
      ...products.slice(0, 60).map((p) => ({
        path: '/api/recommendations', query: `sku=${p}&limit=8`, kind: 'api' as const, contentType: 'application/json', bytes: rng.between(3_000, 9_000), pathPattern: '/api/*',
      })),
    ]);
    const beacon = ranked([
      { path: '/collect', query: null, kind: 'beacon', contentType: 'image/gif', bytes: 35, pathPattern: '/collect' },
    ]);
    const misc = ranked([
      { path: '/favicon.ico', query: null, kind: 'image', contentType: 'image/x-icon', bytes: 15_086, pathPattern: '*' },
      { path: '/robots.txt', query: null, kind: 'other', contentType: 'text/plain', bytes: 412, pathPattern: '*' },
      { path: '/sitemap.xml', query: null, kind: 'other', contentType: 'application/xml', bytes: 88_310, pathPattern: '*' },
      { path: '/manifest.webmanifest', query: null, kind: 'other', contentType: 'application/manifest+json', bytes: 611, pathPattern: '*' },
      { path: '/apple-touch-icon.png', query: null, kind: 'image', contentType: 'image/png', bytes: 9_412, pathPattern: '*' },
    ]);
    this.tables = {
      html: zipfTable(pages, 0.95),
      script: zipfTable(scripts, 1.1),
      style: zipfTable(styles, 1.2),
      image: zipfTable(images, 0.9),
      font: zipfTable(fonts, 1.2),
      api: zipfTable(api, 0.8),
      beacon: zipfTable(beacon, 1),
      misc: zipfTable(misc, 1),
    };
  }

  next(rng: Rng, viewer: Viewer): RequestPlan {
    const kind = viewer.client.kind;
    const crawler = kind === 'bot' || kind === 'cli';
    // Crawlers and scripts fetch pages and robots.txt, not page resources.
    const cls: WebClass = crawler ? (rng.chance(0.1) ? 'misc' : 'html') : CLASS_SHARE.pick(rng);
    const obj = crawler && cls === 'misc' ? this.tables.misc.at(1) : this.tables[cls].pick(rng);
    const pageUrl = `https://${this.host}${rng.pick(this.pages).path}`;
    const referer = cls === 'html' ? (crawler ? null : rng.chance(0.45) ? 'https://www.google.com/' : rng.chance(0.5) ? pageUrl : null) : pageUrl;
    const cookie = crawler ? null : cls === 'html' || cls === 'api' ? this.cookieFor(viewer, rng) : null;
    const plan = basePlan({
      path: obj.path,
      query: obj.query,
      pathPattern: obj.pathPattern,
      kind: obj.kind,
      contentType: obj.contentType,
      objectBytes: obj.bytes,
      cache: scaleOdds(ODDS[cls], obj.rank),
      originWorkMs: cls === 'html' ? rng.logNormal(120, 0.6) : cls === 'api' ? rng.logNormal(60, 0.7) : rng.logNormal(12, 0.5),
      chunked: cls === 'html' && rng.chance(0.5),
      referer: crawler ? null : referer,
      cookie,
      accept: cls === 'html' ? ACCEPT_HTML : cls === 'image' ? ACCEPT_IMAGE : cls === 'style' ? 'text/css,*/*;q=0.1' : cls === 'api' ? 'application/json' : '*/*',
      conditional: (cls === 'html' || cls === 'script' || cls === 'style') && rng.chance(0.07),
    });
    if (obj.path === '/search') plan.query = `q=${encodeURIComponent(rng.pick(SEARCH_TERMS))}`;
    if (obj.path === '/api/recommendations') plan.cache = { hit: 0.85, refreshHit: 0.05 };
    if (obj.pathPattern === '/account/*') {
      plan.edgeFunction = 'lambda';
      plan.cache = null;
    } else if (cls === 'html') {
      plan.edgeFunction = 'cloudfront-function';
    }
    if (cls === 'api' && obj.path === '/api/cart' && rng.chance(0.35)) {
      plan.method = 'POST';
      plan.requestBodyBytes = rng.between(80, 600);
      plan.requestContentType = 'application/json';
      plan.cache = null;
    } else if (cls === 'beacon') {
      if (rng.chance(0.6)) {
        plan.method = 'POST';
        plan.status = 204;
        plan.objectBytes = 0;
        plan.contentType = null;
        plan.requestBodyBytes = rng.between(300, 2_500);
        plan.requestContentType = 'text/plain;charset=UTF-8';
      } else {
        plan.query = `v=2&tid=G-7KX2M4PQ9B&cid=${viewer.visitorId}&en=page_view&dl=${encodeURIComponent(pageUrl)}&sr=1920x1080`;
      }
    } else if (crawler && rng.chance(0.04)) {
      plan.method = 'HEAD';
    } else if (cls === 'html' && !crawler && rng.chance(0.0015)) {
      plan.method = 'POST'; // form posted to a static page: refused by the behavior's allowed methods
      plan.denial = 'method-not-allowed';
    }
    if (cls === 'html' && !crawler) plan.extraHeaders.push(['upgrade-insecure-requests', '1']);
    return plan;
  }

  private cookieFor(viewer: Viewer, rng: Rng): string | null {
    if (rng.chance(0.25)) return null;
    let cookie = `session-id=${viewer.visitorId}; _ga=GA1.1.${parseInt(viewer.visitorId.slice(0, 8), 16)}.1714${rng.between(100000, 999999)}`;
    if (rng.chance(0.4)) cookie += `; cart=${viewer.visitorId.slice(0, 6)}%7C${rng.between(1, 9)}`;
    if (rng.chance(0.3)) cookie += '; consent={"analytics":true,"ads":false}';
    return cookie;
  }
}

/** Less popular objects miss more often: the miss share grows from 0.4× to 2× the base with rank. */
export function scaleOdds(odds: CacheOdds | null, rank: number): CacheOdds | null {
  if (!odds) return null;
  const baseMiss = 1 - odds.hit - odds.refreshHit;
  const miss = Math.min(0.9, baseMiss * (0.4 + 1.6 * rank));
  const hitShare = odds.hit / (odds.hit + odds.refreshHit);
  return { hit: (1 - miss) * hitShare, refreshHit: (1 - miss) * (1 - hitShare) };
}
