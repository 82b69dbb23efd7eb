/**
 * Device type, browser, OS and bot flag of a viewer from `cs-user-agent`, using
 * `ua-parser-js` 1.x (MIT; 2.x is AGPL and must not be used) and `isbot`.
 *
 * Parsing a user agent costs tens of microseconds while a log stream repeats a few
 * thousand distinct values, so results are memoised in a bounded cache.
 */
import { createRequire } from 'node:module';
import { isbot } from 'isbot';
import type { DeviceType } from '../types.js';
import { BoundedCache } from './bounded-cache.js';

export interface UserAgentInfo {
  readonly deviceType: DeviceType;
  /** Browser name as ua-parser-js spells it (`Chrome`, `Mobile Safari`); '' when unknown. */
  readonly browser: string;
  /** OS name as ua-parser-js spells it (`iOS`, `Windows`, `Mac OS`); '' when unknown. */
  readonly os: string;
  readonly isBot: 0 | 1;
}

/** The part of the ua-parser-js 1.x API used here (the package ships no types). */
interface UaParser {
  setUA(userAgent: string): UaParser;
  getBrowser(): { name?: string };
  getOS(): { name?: string };
  getDevice(): { type?: string };
}
type UaParserConstructor = new () => UaParser;

const UA_CACHE_ENTRIES = 10_000;
/** ua-parser-js reads at most 500 characters; a shorter key also bounds cache memory. */
const MAX_USER_AGENT_LENGTH = 500;

const DEVICE_TYPES: ReadonlyMap<string, DeviceType> = new Map<string, DeviceType>([
  ['mobile', 'mobile'],
  ['tablet', 'tablet'],
  ['smarttv', 'smarttv'],
  ['console', 'console'],
  ['wearable', 'wearable'],
  ['embedded', 'embedded'],
]);

/** OS names (lower case) of machines without a device type that are desktops or laptops. */
const DESKTOP_OSES: ReadonlySet<string> = new Set([
  'windows', 'mac os', 'macos', 'linux', 'chromium os', 'chrome os', 'ubuntu', 'kubuntu', 'xubuntu', 'lubuntu',
  'debian', 'fedora', 'suse', 'opensuse', 'gentoo', 'arch', 'slackware', 'mandriva', 'centos', 'red hat', 'redhat',
  'mint', 'manjaro', 'elementary os', 'deepin', 'freebsd', 'openbsd', 'netbsd', 'dragonfly', 'solaris', 'unix',
  'haiku',
]);

export const EMPTY_USER_AGENT: UserAgentInfo = Object.freeze({ deviceType: 'empty', browser: '', os: '', isBot: 0 });

const UAParser = createRequire(import.meta.url)('ua-parser-js') as UaParserConstructor;
const parser = new UAParser();
const infoByUserAgent = new BoundedCache<string, UserAgentInfo>(UA_CACHE_ENTRIES);

function deviceTypeOf(parsedType: string | undefined, os: string, bot: boolean): DeviceType {
  if (bot) return 'bot';
  const known = parsedType === undefined ? undefined : DEVICE_TYPES.get(parsedType);
  if (known !== undefined) return known;
  return os !== '' && DESKTOP_OSES.has(os.toLowerCase()) ? 'desktop' : 'unknown';
}

/**
 * HTTP stacks of mobile apps and media players. isbot counts a bare `name/version` agent as a bot,
 * which would put app API traffic and video players (ExoPlayer, FFmpeg's Lavf) among the crawlers.
 */
const APP_AND_PLAYER_CLIENTS = /^(?:okhttp|ExoPlayerLib|Lavf|Dalvik|stagefright|AppleCoreMedia|CFNetwork|AVPlayer)\//i;

function parseUserAgent(userAgent: string): UserAgentInfo {
  const bot = !APP_AND_PLAYER_CLIENTS.test(userAgent) && isbot(userAgent);
  parser.setUA(userAgent);
  const browser = parser.getBrowser().name ?? '';
  const os = parser.getOS().name ?? '';
  const deviceType = deviceTypeOf(parser.getDevice().type, os, bot);
  return Object.freeze({ deviceType, browser, os, isBot: bot ? 1 : 0 });
}

/** Classifies a user agent; null, '' and '-' give device type 'empty'. Never throws. */
export function classifyUserAgent(userAgent: string | null): UserAgentInfo {
  if (userAgent === null || userAgent.length === 0 || userAgent === '-') return EMPTY_USER_AGENT;
  const key = userAgent.length > MAX_USER_AGENT_LENGTH ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : userAgent;
  let info = infoByUserAgent.get(key);
  if (info === undefined) {
    info = parseUserAgent(key);
    infoByUserAgent.set(key, info);
  }
  return info;
}
