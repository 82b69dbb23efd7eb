import { describe, expect, it } from 'vitest';
import { classifyUserAgent, EMPTY_USER_AGENT } from '../../processor/enrich/user-agent.js';

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 13_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.2 Mobile/15E148 Safari/604.1';
const ANDROID_TABLET = 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const GOOGLEBOT_SMARTPHONE =
  'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.91 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:83.0) Gecko/20100101 Firefox/83.0';
const CHROMEBOOK = 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SAMSUNG_TV =
  'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36';
const PLAYSTATION = 'Mozilla/5.0 (PlayStation 5 3.11) AppleWebKit/605.1.15 (KHTML, like Gecko)';

describe('classifyUserAgent', () => {
  it('desktop Chrome on Windows', () => {
    expect(classifyUserAgent(CHROME_WINDOWS)).toEqual({ deviceType: 'desktop', browser: 'Chrome', os: 'Windows', isBot: 0 });
  });

  it('Safari on iPhone', () => {
    expect(classifyUserAgent(SAFARI_IPHONE)).toEqual({ deviceType: 'mobile', browser: 'Mobile Safari', os: 'iOS', isBot: 0 });
  });

  it('Android tablet', () => {
    expect(classifyUserAgent(ANDROID_TABLET)).toEqual({ deviceType: 'tablet', browser: 'Chrome', os: 'Android', isBot: 0 });
  });

  it('Googlebot (desktop and smartphone) is a bot', () => {
    expect(classifyUserAgent(GOOGLEBOT)).toEqual({ deviceType: 'bot', browser: '', os: '', isBot: 1 });
    expect(classifyUserAgent(GOOGLEBOT_SMARTPHONE)).toMatchObject({ deviceType: 'bot', isBot: 1, os: 'Android' });
  });

  it('curl is a bot', () => {
    expect(classifyUserAgent('curl/8.4.0')).toEqual({ deviceType: 'bot', browser: '', os: '', isBot: 1 });
  });

  it('empty, dash and absent user agents', () => {
    expect(classifyUserAgent(null)).toBe(EMPTY_USER_AGENT);
    expect(classifyUserAgent('')).toBe(EMPTY_USER_AGENT);
    expect(classifyUserAgent('-')).toBe(EMPTY_USER_AGENT);
    expect(EMPTY_USER_AGENT).toEqual({ deviceType: 'empty', browser: '', os: '', isBot: 0 });
  });

  it('desktop by OS for Mac and Chrome OS, device types for TV and console', () => {
    expect(classifyUserAgent(FIREFOX_MAC)).toEqual({ deviceType: 'desktop', browser: 'Firefox', os: 'Mac OS', isBot: 0 });
    expect(classifyUserAgent(CHROMEBOOK)).toMatchObject({ deviceType: 'desktop', os: 'Chromium OS' });
    expect(classifyUserAgent(SAMSUNG_TV)).toMatchObject({ deviceType: 'smarttv', isBot: 0 });
    expect(classifyUserAgent(PLAYSTATION)).toMatchObject({ deviceType: 'console', isBot: 0 });
  });

  it('a media player without a desktop OS or device type is unknown, not desktop', () => {
    expect(classifyUserAgent('MyVideoApp/4.2 (Linux;Android 12) ExoPlayerLib/2.18.1')).toMatchObject({ deviceType: 'unknown', isBot: 0 });
    expect(classifyUserAgent('VLC/3.0.18 LibVLC/3.0.18')).toMatchObject({ deviceType: 'unknown', isBot: 0 });
  });

  it('returns the cached result for a repeated user agent', () => {
    expect(classifyUserAgent(CHROME_WINDOWS)).toBe(classifyUserAgent(`${CHROME_WINDOWS}`));
  });

  it('handles very long and hostile user agents without throwing', () => {
    const long = `${CHROME_WINDOWS} ${'x'.repeat(100_000)}`;
    expect(classifyUserAgent(long)).toMatchObject({ browser: 'Chrome', os: 'Windows' });
    expect(() => classifyUserAgent('((((((((((;;;;;;;;'.repeat(1_000))).not.toThrow();
  });
});

describe('app and media player clients', () => {
  it.each(['okhttp/4.12.0', 'ExoPlayerLib/2.19.1', 'Lavf/60.3.100'])('does not count %s as a bot', (ua) => {
    expect(classifyUserAgent(ua)).toMatchObject({ isBot: 0 });
  });

  it('still counts crawlers and scripts as bots', () => {
    expect(classifyUserAgent('curl/8.4.0').isBot).toBe(1);
    expect(classifyUserAgent('python-requests/2.31.0').isBot).toBe(1);
  });
});
