/**
 * The public REST API: cacheable catalogue reads, private reads, writes with every method,
 * CORS preflights, health checks, a field-level-encrypted payment endpoint and WebSocket
 * notification connections.
 */
import { basePlan, type Method, type RequestPlan } from './request-plan.js';
import { weightsOf, zipfTable, type Rng, type WeightedTable } from './random.js';
import type { Viewer } from './viewers.js';

type Endpoint =
  | 'product' | 'productList' | 'categories' | 'search' | 'me' | 'cart' | 'addItem' | 'updateItem'
  | 'patchMe' | 'deleteItem' | 'order' | 'payment' | 'token' | 'preflight' | 'health' | 'websocket';

const ENDPOINT_SHARE = weightsOf<Endpoint>({
  product: 34, productList: 14, categories: 7, search: 8, me: 4, cart: 5, addItem: 3, updateItem: 2.5,
  patchMe: 1.5, deleteItem: 1.5, order: 1, payment: 0.6, token: 2, preflight: 6, health: 1.5, websocket: 1.5,
});

const JSON_TYPE = 'application/json; charset=utf-8';
const TERMS = ['boots', 'rain jacket', 'tent 2p', 'merino', 'kids', 'sale', 'gift', 'watch strap', 'naïve art print'];
const CATEGORIES = ['shoes', 'jackets', 'bags', 'watches', 'outdoor', 'kids', 'home', 'kitchen'];

export class ApiContent {
  private readonly productIds: WeightedTable<number>;

  constructor(rng: Rng, private readonly webOrigin: string) {
    const ids = Array.from({ length: 4000 }, () => rng.between(10_000, 999_999));
    this.productIds = zipfTable(ids, 0.85);
  }

  next(rng: Rng, viewer: Viewer): RequestPlan {
    const browser = viewer.client.kind === 'desktop' || viewer.client.kind === 'mobile' || viewer.client.kind === 'tablet';
    const script = viewer.client.kind === 'cli' || viewer.client.kind === 'bot';
    let endpoint = ENDPOINT_SHARE.pick(rng);
    if (endpoint === 'preflight' && !browser) endpoint = 'product';
    if (script && rng.chance(0.25)) endpoint = 'health';
    const auth = `Bearer eyJhbGciOiJSUzI1NiJ9.${rng.hex(24)}`;
    const plan = this.plan(rng, endpoint);
    if (browser) {
      plan.referer = `${this.webOrigin}/`;
      plan.extraHeaders.push(['origin', this.webOrigin]);
    }
    if (plan.pathPattern === '/v1/*' && endpoint !== 'product' && endpoint !== 'productList' && endpoint !== 'categories' && endpoint !== 'health' && endpoint !== 'preflight') {
      plan.extraHeaders.push(['authorization', auth]);
    }
    if (endpoint !== 'websocket' && rng.chance(0.002)) plan.denial = 'waf-block';
    return plan;
  }

  private plan(rng: Rng, endpoint: Endpoint): RequestPlan {
    const id = this.productIds.pick(rng);
    const json = (path: string, bytes: number, cached: boolean, extra: Partial<RequestPlan> = {}): RequestPlan =>
      basePlan({
        path, pathPattern: path.startsWith('/v2/') ? '/v2/*' : '/v1/*', kind: 'api', contentType: JSON_TYPE, objectBytes: bytes,
        cache: cached ? { hit: 0.9, refreshHit: 0.04 } : null, originWorkMs: rng.logNormal(45, 0.8), accept: 'application/json', ...extra,
      });
    const write = (method: Method, path: string, status: number, bytes: number): RequestPlan =>
      json(path, bytes, false, {
        method, status, requestBodyBytes: method === 'DELETE' ? 0 : rng.between(60, 1_500),
        requestContentType: method === 'DELETE' ? null : 'application/json', originWorkMs: rng.logNormal(110, 0.7),
        contentType: status === 204 ? null : JSON_TYPE,
      });
    switch (endpoint) {
      case 'product':
        return json(`/v1/products/${id}`, rng.between(1_800, 7_500), true);
      case 'productList':
        return json('/v1/products', rng.between(12_000, 48_000), true, {
          query: `category=${rng.pick(CATEGORIES)}&page=${rng.between(1, 6)}&sort=popular`,
          cache: { hit: 0.84, refreshHit: 0.06 },
        });
      case 'categories':
        return json('/v1/catalog/categories', 6_214, true, { cache: { hit: 0.96, refreshHit: 0.02 } });
      case 'search':
        return json('/v2/search', rng.between(4_000, 30_000), true, {
          query: `q=${encodeURIComponent(rng.pick(TERMS))}&limit=24`,
          cache: { hit: 0.62, refreshHit: 0.04 },
          originWorkMs: rng.logNormal(180, 0.6),
        });
      case 'me':
        return json('/v1/users/me', rng.between(700, 1_400), false);
      case 'cart':
        return json('/v1/cart', rng.between(400, 3_000), false);
      case 'addItem':
        return write('POST', '/v1/cart/items', 201, rng.between(300, 900));
      case 'updateItem':
        return write('PUT', `/v1/cart/items/${id}`, 200, rng.between(300, 900));
      case 'patchMe':
        return write('PATCH', '/v1/users/me', 200, rng.between(700, 1_400));
      case 'deleteItem':
        return write('DELETE', `/v1/cart/items/${id}`, 204, 0);
      case 'order':
        return write('POST', '/v1/orders', 201, rng.between(900, 2_500));
      case 'payment': {
        const plan = write('POST', '/v1/payments', 201, rng.between(200, 600));
        plan.fle = { status: 'Processed', encryptedFields: 2 };
        plan.requestContentType = 'application/x-www-form-urlencoded';
        return plan;
      }
      case 'token':
        return write('POST', '/v1/auth/token', 200, rng.between(900, 1_300));
      case 'preflight':
        return json(rng.chance(0.5) ? '/v1/cart/items' : `/v1/products/${id}`, 0, false, {
          method: 'OPTIONS', status: 204, contentType: null, originWorkMs: rng.logNormal(8, 0.4),
          cache: { hit: 0.85, refreshHit: 0 }, // the behavior caches OPTIONS responses
          extraHeaders: [['access-control-request-method', rng.pick(['POST', 'PUT', 'DELETE', 'PATCH'])], ['access-control-request-headers', 'authorization,content-type']],
        });
      case 'health':
        return json('/v1/health', 17, false, { method: rng.chance(0.5) ? 'HEAD' : 'GET', originWorkMs: rng.logNormal(3, 0.3) });
      case 'websocket': {
        const durationMs = Math.min(3_600_000, rng.logNormal(120_000, 1.2));
        const messages = Math.round(durationMs / rng.uniform(2_000, 20_000));
        return basePlan({
          path: '/ws/notifications', query: `v=1&token=${rng.hex(20)}`, pathPattern: '/ws/*', kind: 'websocket',
          contentType: null, objectBytes: 0, status: 101, accept: null, originWorkMs: rng.logNormal(25, 0.4),
          extraHeaders: [['upgrade', 'websocket'], ['connection', 'Upgrade'], ['sec-websocket-key', Buffer.from(rng.hex(32), 'hex').toString('base64')], ['sec-websocket-version', '13']],
          websocket: { durationMs, bytesOut: 180 + messages * rng.between(120, 900), bytesIn: 220 + Math.round(messages / 3) * rng.between(40, 200) },
        });
      }
    }
  }
}
