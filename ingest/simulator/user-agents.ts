/**
 * Simulated clients: user agent strings with what each client does on the wire (HTTP versions,
 * TLS, header casing, Accept-Encoding), grouped by the kind of device a dashboard would show.
 */

export type ClientKind = 'desktop' | 'mobile' | 'tablet' | 'smarttv' | 'console' | 'player' | 'app' | 'bot' | 'cli';

export type HttpVersion = 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2.0' | 'HTTP/3.0';

export interface Client {
  readonly userAgent: string;
  readonly kind: ClientKind;
  /** Relative weight of each HTTP version this client speaks. */
  readonly http: Readonly<Partial<Record<HttpVersion, number>>>;
  /** Accept-Encoding it sends; null when it sends none (curl). */
  readonly acceptEncoding: string | null;
  /** Sends `sec-fetch-*` / client-hint headers (Chromium browsers). */
  readonly chromium: boolean;
  /** Prefers ChaCha20 over AES (phones without AES instructions). */
  readonly prefersChacha: boolean;
  /** Fixed origin of a crawler's requests (crawlers come from their operators' networks). */
  readonly crawler?: { readonly asn: number; readonly v4: string; readonly country: string };
}

const browserHttp = { 'HTTP/2.0': 62, 'HTTP/3.0': 30, 'HTTP/1.1': 8 } as const;
const safariHttp = { 'HTTP/2.0': 68, 'HTTP/3.0': 28, 'HTTP/1.1': 4 } as const;
const deviceHttp = { 'HTTP/1.1': 70, 'HTTP/2.0': 30 } as const;
const cliHttp = { 'HTTP/1.1': 60, 'HTTP/2.0': 38, 'HTTP/1.0': 2 } as const;
const CHROME_AE = 'gzip, deflate, br, zstd';
const OTHER_AE = 'gzip, deflate, br';

function browser(userAgent: string, kind: ClientKind, chromium: boolean, safari = false, prefersChacha = false): Client {
  return { userAgent, kind, http: safari ? safariHttp : browserHttp, acceptEncoding: chromium ? CHROME_AE : OTHER_AE, chromium, prefersChacha };
}

export const CLIENTS = {
  chromeWindows: browser('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'desktop', true),
  chromeMac: browser('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'desktop', true),
  edgeWindows: browser('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80', 'desktop', true),
  firefoxWindows: browser('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0', 'desktop', false),
  firefoxLinux: browser('Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'desktop', false),
  safariMac: browser('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15', 'desktop', false, true),
  safariIphone: browser('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1', 'mobile', false, true),
  chromeAndroid: browser('Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36', 'mobile', true, false, true),
  samsungInternet: browser('Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36', 'mobile', true, false, true),
  safariIpad: browser('Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1', 'tablet', false, true),
  chromeAndroidTablet: browser('Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 'tablet', true),
  tizenTv: { userAgent: 'Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.5) AppleWebKit/537.36 (KHTML, like Gecko) 85.0.4183.93/6.5 TV Safari/537.36', kind: 'smarttv', http: deviceHttp, acceptEncoding: 'gzip, deflate', chromium: false, prefersChacha: false },
  webosTv: { userAgent: 'Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 Safari/537.36 WebAppManager', kind: 'smarttv', http: deviceHttp, acceptEncoding: 'gzip, deflate', chromium: false, prefersChacha: false },
  roku: { userAgent: 'Roku/DVP-12.5 (12.5.0.4178-51)', kind: 'smarttv', http: { 'HTTP/1.1': 100 }, acceptEncoding: 'gzip', chromium: false, prefersChacha: false },
  appleTv: { userAgent: 'AppleCoreMedia/1.0.0.21L227 (Apple TV; U; CPU OS 17_4 like Mac OS X; en_us)', kind: 'smarttv', http: { 'HTTP/2.0': 70, 'HTTP/1.1': 30 }, acceptEncoding: 'gzip', chromium: false, prefersChacha: false },
  playstation: { userAgent: 'Mozilla/5.0 (PlayStation; PlayStation 5/8.40) AppleWebKit/605.1.15 (KHTML, like Gecko)', kind: 'console', http: deviceHttp, acceptEncoding: 'gzip, deflate', chromium: false, prefersChacha: false },
  coreMediaIphone: { userAgent: 'AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4_1 like Mac OS X; en_us)', kind: 'player', http: { 'HTTP/2.0': 75, 'HTTP/3.0': 15, 'HTTP/1.1': 10 }, acceptEncoding: 'gzip', chromium: false, prefersChacha: false },
  exoPlayer: { userAgent: 'ExampleTV/3.8.1 (Linux;Android 12) ExoPlayerLib/2.19.1', kind: 'player', http: { 'HTTP/1.1': 55, 'HTTP/2.0': 45 }, acceptEncoding: 'gzip', chromium: false, prefersChacha: true },
  shopAppIos: { userAgent: 'ExampleShop/5.12.0 (iPhone; iOS 17.4.1; Scale/3.00)', kind: 'app', http: { 'HTTP/2.0': 80, 'HTTP/3.0': 15, 'HTTP/1.1': 5 }, acceptEncoding: 'gzip, deflate, br', chromium: false, prefersChacha: false },
  okhttp: { userAgent: 'okhttp/4.12.0', kind: 'app', http: { 'HTTP/2.0': 90, 'HTTP/1.1': 10 }, acceptEncoding: 'gzip', chromium: false, prefersChacha: true },
  curl: { userAgent: 'curl/8.5.0', kind: 'cli', http: cliHttp, acceptEncoding: null, chromium: false, prefersChacha: false },
  pythonRequests: { userAgent: 'python-requests/2.31.0', kind: 'cli', http: { 'HTTP/1.1': 100 }, acceptEncoding: 'gzip, deflate', chromium: false, prefersChacha: false },
  goHttp: { userAgent: 'Go-http-client/2.0', kind: 'cli', http: { 'HTTP/2.0': 80, 'HTTP/1.1': 20 }, acceptEncoding: 'gzip', chromium: false, prefersChacha: false },
  headlessChrome: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36', kind: 'bot', http: { 'HTTP/1.1': 40, 'HTTP/2.0': 60 }, acceptEncoding: CHROME_AE, chromium: true, prefersChacha: false },
  googlebot: { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', kind: 'bot', http: { 'HTTP/1.1': 50, 'HTTP/2.0': 50 }, acceptEncoding: 'gzip, deflate, br', chromium: false, prefersChacha: false, crawler: { asn: 15169, v4: '66.249', country: 'US' } },
  googlebotSmartphone: { userAgent: 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', kind: 'bot', http: { 'HTTP/1.1': 40, 'HTTP/2.0': 60 }, acceptEncoding: 'gzip, deflate, br', chromium: false, prefersChacha: false, crawler: { asn: 15169, v4: '66.249', country: 'US' } },
  bingbot: { userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', kind: 'bot', http: { 'HTTP/1.1': 70, 'HTTP/2.0': 30 }, acceptEncoding: 'gzip, deflate', chromium: false, prefersChacha: false, crawler: { asn: 8075, v4: '157.55', country: 'US' } },
  facebookBot: { userAgent: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', kind: 'bot', http: { 'HTTP/1.1': 60, 'HTTP/2.0': 40 }, acceptEncoding: 'gzip, deflate', chromium: false, prefersChacha: false, crawler: { asn: 32934, v4: '173.252', country: 'US' } },
  ahrefsBot: { userAgent: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', kind: 'bot', http: { 'HTTP/1.1': 100 }, acceptEncoding: 'gzip, deflate', chromium: false, prefersChacha: false, crawler: { asn: 16276, v4: '54.36', country: 'FR' } },
  route53Health: { userAgent: 'Amazon-Route53-Health-Check-Service (ref 2c8a1f0e-6a1b-4c7e-9a43-2f1c2b7d9e10; report http://amzn.to/1vsZADi)', kind: 'bot', http: { 'HTTP/1.1': 100 }, acceptEncoding: null, chromium: false, prefersChacha: false, crawler: { asn: 16509, v4: '54.243', country: 'US' } },
} satisfies Record<string, Client>;

export type ClientName = keyof typeof CLIENTS;

/** Which clients visit each kind of distribution, with relative weights. */
export const CLIENT_MIX: Readonly<Record<'web' | 'video' | 'api' | 'downloads' | 'abuse', Partial<Record<ClientName, number>>>> = {
  web: {
    chromeWindows: 22, chromeMac: 9, edgeWindows: 6, firefoxWindows: 4, firefoxLinux: 1, safariMac: 6, safariIphone: 18,
    chromeAndroid: 14, samsungInternet: 4, safariIpad: 4, chromeAndroidTablet: 1.5, googlebot: 1.2, googlebotSmartphone: 1.5,
    bingbot: 1, facebookBot: 0.4, ahrefsBot: 0.6, curl: 0.3, route53Health: 0.3, playstation: 0.2,
  },
  video: {
    chromeWindows: 12, chromeMac: 5, edgeWindows: 3, firefoxWindows: 2, safariMac: 4, safariIphone: 8, chromeAndroid: 7,
    safariIpad: 5, tizenTv: 8, webosTv: 6, roku: 7, appleTv: 7, playstation: 2, coreMediaIphone: 12, exoPlayer: 11,
  },
  api: {
    shopAppIos: 28, okhttp: 26, chromeWindows: 12, safariIphone: 10, chromeAndroid: 8, safariMac: 4, firefoxWindows: 2,
    curl: 3, pythonRequests: 3, goHttp: 2, route53Health: 1, headlessChrome: 1,
  },
  downloads: {
    chromeWindows: 35, edgeWindows: 12, chromeMac: 12, safariMac: 10, firefoxWindows: 6, firefoxLinux: 5, curl: 10,
    goHttp: 4, pythonRequests: 3, route53Health: 1,
  },
  abuse: { pythonRequests: 30, curl: 20, goHttp: 20, headlessChrome: 20, chromeWindows: 10 },
};
