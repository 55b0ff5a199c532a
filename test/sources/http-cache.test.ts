/**
 * The discovery/JWKS cache and the keep-alive agent, against a real loopback HTTPS issuer that
 * counts requests and TLS handshakes. Expiry is driven by the cache's injected clock where a
 * test needs time to pass (a real wait of minutes is not an option); everything else is real.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/sources/errors.js';
import { CACHE_LIMITS, documentCache, JsonCache, ttlOf, cacheKey } from '../../src/sources/http-cache.js';
import { closeHttpAgents, DEFAULT_HTTP_POLICY, safeGetJson, type HttpPolicy } from '../../src/sources/http.js';
import { fetchDiscovery, fetchJson } from '../../src/sources/oidc.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { jwksOf, testKey, type TestKey } from '../helpers/tokens.js';

let srv: TestHttpsServer;
let policy: HttpPolicy;
let k1: TestKey;
let k2: TestKey;

beforeAll(async () => {
  [k1, k2] = await Promise.all([testKey('k1'), testKey('k2')]);
  srv = await startHttpsServer();
  policy = { ...DEFAULT_HTTP_POLICY, ca: srv.caCert };
});
afterAll(async () => {
  await closeHttpAgents();
  await srv.close();
});
beforeEach(async () => {
  await closeHttpAgents();
  srv.hits.length = 0;
  srv.routes.clear();
  srv.routes.set('/.well-known/openid-configuration', { json: { issuer: srv.origin, jwks_uri: `${srv.origin}/jwks` } });
  srv.routes.set('/jwks', { json: jwksOf(k1) });
});

const count = (path: string) => srv.hits.filter((h) => h === path).length;

describe('ttlOf (Cache-Control)', () => {
  it.each([
    [undefined, CACHE_LIMITS.defaultTtlMs],
    ['max-age=120', 120_000],
    ['public, max-age=86400', CACHE_LIMITS.maxTtlMs],
    ['no-store', 0],
    ['no-cache, max-age=600', 0],
    ['max-age=0', 0],
    ['private', CACHE_LIMITS.defaultTtlMs],
  ])('%s → %i ms', (cc, ms) => {
    expect(ttlOf(cc)).toBe(ms);
  });
});

describe('fetch once: the process cache and one keep-alive connection', () => {
  it('serves 20 discovery + 20 JWKS reads with one request each over one TLS connection', async () => {
    const before = srv.handshakes();
    for (let i = 0; i < 20; i++) {
      const d = await fetchDiscovery(srv.origin, policy);
      await fetchJson((d.json as { jwks_uri: string }).jwks_uri, policy, undefined, { kid: 'k1' });
    }
    expect(count('/.well-known/openid-configuration')).toBe(1);
    expect(count('/jwks')).toBe(1);
    expect(srv.handshakes() - before).toBe(1);
  });

  it('reuses one connection for repeated uncached fetches (keep-alive agent per policy)', async () => {
    const before = srv.handshakes();
    for (let i = 0; i < 5; i++) await safeGetJson(`${srv.origin}/jwks`, policy);
    expect(count('/jwks')).toBe(5);
    expect(srv.handshakes() - before).toBe(1);
  });

  it('shares one request among concurrent callers', async () => {
    srv.routes.set('/jwks', { json: jwksOf(k1), delayMs: 100 });
    await Promise.all(Array.from({ length: 10 }, () => fetchJson(`${srv.origin}/jwks`, policy)));
    expect(count('/jwks')).toBe(1);
  });

  it('honours no-store: every read fetches', async () => {
    srv.routes.set('/jwks', { json: jwksOf(k1), headers: { 'cache-control': 'no-store' } });
    for (let i = 0; i < 3; i++) await fetchJson(`${srv.origin}/jwks`, policy);
    expect(count('/jwks')).toBe(3);
  });

  it('keys by policy: a different CA setting is a different fetch', async () => {
    await fetchJson(`${srv.origin}/jwks`, policy);
    await expect(fetchJson(`${srv.origin}/jwks`, { ...policy, ca: undefined })).rejects.toMatchObject({ code: 'SOURCE_TLS_UNTRUSTED' });
    expect(count('/jwks')).toBe(1); // the untrusted attempt never got past TLS
  });

  it('gives each caller its own copy of the document', async () => {
    const a = await fetchJson(`${srv.origin}/jwks`, policy);
    (a.json as { keys: unknown[] }).keys.length = 0;
    const b = await fetchJson(`${srv.origin}/jwks`, policy);
    expect((b.json as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it('fresh: true fetches now and refreshes the entry for later readers', async () => {
    await fetchJson(`${srv.origin}/jwks`, policy);
    srv.routes.set('/jwks', { json: jwksOf(k1, k2) });
    const now = await fetchJson(`${srv.origin}/jwks`, policy, undefined, { fresh: true });
    expect((now.json as { keys: unknown[] }).keys).toHaveLength(2);
    const later = await fetchJson(`${srv.origin}/jwks`, policy);
    expect((later.json as { keys: unknown[] }).keys).toHaveLength(2);
    expect(count('/jwks')).toBe(2);
  });
});

describe('rotation: a kid the cached JWKS lacks', () => {
  it('forces one refetch, and no more than one per window', async () => {
    await fetchJson(`${srv.origin}/jwks`, policy, undefined, { kid: 'k1' });
    srv.routes.set('/jwks', { json: jwksOf(k1, k2) });
    const rotated = await fetchJson(`${srv.origin}/jwks`, policy, undefined, { kid: 'k2' });
    expect((rotated.json as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    for (let i = 0; i < 5; i++) await fetchJson(`${srv.origin}/jwks`, policy, undefined, { kid: 'unknown-kid' });
    expect(count('/jwks')).toBe(2);
  });
});

describe('failures', () => {
  it('keeps a failure for a few seconds at most, then fetches again', async () => {
    let t = 1_000_000;
    const cache = new JsonCache(CACHE_LIMITS, () => t);
    const key = cacheKey(`${srv.origin}/jwks`, policy);
    srv.routes.set('/jwks', { status: 503, body: 'not ready' });
    const get = () => cache.get(key, (s) => safeGetJson(`${srv.origin}/jwks`, policy, s));
    await expect(get()).rejects.toMatchObject({ code: 'SOURCE_HTTP_STATUS' });
    await expect(get()).rejects.toMatchObject({ code: 'SOURCE_HTTP_STATUS' });
    expect(count('/jwks')).toBe(1);
    srv.routes.set('/jwks', { json: jwksOf(k1) });
    t += CACHE_LIMITS.failureTtlMs;
    await expect(get()).resolves.toMatchObject({ status: 200 });
    expect(count('/jwks')).toBe(2);
    expect(CACHE_LIMITS.failureTtlMs).toBeLessThanOrEqual(5000);
  });

  it('expires a success after max-age (bounded by 5 minutes) and drops the least recently used beyond the cap', async () => {
    let t = 0;
    const cache = new JsonCache({ ...CACHE_LIMITS, maxEntries: 2 }, () => t);
    srv.routes.set('/a', { json: { a: 1 }, headers: { 'cache-control': 'max-age=30' } });
    srv.routes.set('/b', { json: { b: 1 } });
    srv.routes.set('/c', { json: { c: 1 } });
    const get = (p: string) => cache.get(cacheKey(`${srv.origin}${p}`, policy), (s) => safeGetJson(`${srv.origin}${p}`, policy, s));
    await get('/a');
    t += 29_000;
    await get('/a');
    expect(count('/a')).toBe(1);
    t += 1_000;
    await get('/a');
    expect(count('/a')).toBe(2);
    await get('/b');
    await get('/c');
    expect(cache.size).toBe(2);
    await get('/a'); // dropped as least recently used
    expect(count('/a')).toBe(3);
  });

  it('never keeps a cancelled fetch; cancelling one caller leaves the others their answer', async () => {
    srv.routes.set('/jwks', { json: jwksOf(k1), delayMs: 200 });
    const ac = new AbortController();
    const cancelled = fetchJson(`${srv.origin}/jwks`, policy, ac.signal);
    const other = fetchJson(`${srv.origin}/jwks`, policy);
    ac.abort();
    const e = await cancelled.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).facts.cancelled).toBe(true);
    await expect(other).resolves.toMatchObject({ json: jwksOf(k1) });
    expect(count('/jwks')).toBe(1);
  });

  it('cancels the request when its only caller cancels, and keeps nothing', async () => {
    srv.routes.set('/jwks', { hang: true });
    const ac = new AbortController();
    const p = fetchJson(`${srv.origin}/jwks`, policy, ac.signal);
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toMatchObject({ code: 'SOURCE_TIMEOUT' });
    expect(documentCache.size).toBe(0);
  });
});
