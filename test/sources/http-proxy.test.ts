/**
 * The safe fetch through HTTPS_PROXY, against real servers: a loopback CONNECT proxy written
 * for the test (test/helpers/connect-proxy.ts: tunnels, demands credentials, refuses, hangs) in
 * front of the loopback HTTPS issuer. Proves the CONNECT happened, NO_PROXY bypasses it, each
 * proxy failure is SOURCE_PROXY (never the host's fault) within the deadline, the credentials
 * never leak, and keep-alive still gives one tunnel for repeated fetches.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchFailure } from '../../src/checks/source-failure.js';
import { SourceError } from '../../src/sources/errors.js';
import { closeHttpAgents, DEFAULT_HTTP_POLICY, safeGet, safeGetJson, type HttpPolicy } from '../../src/sources/http.js';
import { redactPatterns } from '../../src/redact.js';
import { startConnectProxy, withEnv, type TestConnectProxy } from '../helpers/connect-proxy.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';

let srv: TestHttpsServer;
let proxy: TestConnectProxy;
let policy: HttpPolicy;
const USER = 'proxy-user-canary';
const PASS = 'pr0xy-Pass-canary-7f3a';

beforeAll(async () => {
  srv = await startHttpsServer({
    '/ok': { json: { hello: 'proxy' } },
    '/hang': { hang: true },
    '/boom': { status: 503, body: 'jwks not ready' },
  });
  proxy = await startConnectProxy();
  policy = { ...DEFAULT_HTTP_POLICY, ca: srv.caCert };
});
afterAll(async () => {
  await closeHttpAgents();
  await srv.close();
  await proxy.close();
});
afterEach(async () => {
  proxy.mode = { kind: 'tunnel' };
  proxy.requireAuth = undefined;
  await closeHttpAgents();
});

/** Only these proxy variables, all others unset. */
const env = (vars: { HTTPS_PROXY?: string; HTTP_PROXY?: string; NO_PROXY?: string }) => ({
  HTTPS_PROXY: vars.HTTPS_PROXY,
  https_proxy: undefined,
  HTTP_PROXY: vars.HTTP_PROXY,
  http_proxy: undefined,
  NO_PROXY: vars.NO_PROXY,
  no_proxy: undefined,
});

async function failure(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SourceError);
    return e as SourceError;
  }
  throw new Error('expected the fetch to fail');
}

/** Everything a failure could show: message, facts, the finding made of it, and the cause chain. */
function shown(e: SourceError): string {
  const causes: string[] = [];
  for (let c: unknown = e.cause, i = 0; c && i < 6; c = (c as { cause?: unknown }).cause, i++) causes.push(String(c), JSON.stringify(c));
  return JSON.stringify([e.message, e.facts, fetchFailure('DISCOVERY_UNREACHABLE', 'The discovery document', e), causes]);
}

describe('through HTTPS_PROXY', () => {
  it('tunnels with CONNECT and says so in the result (via proxy, no local addresses)', async () => {
    const before = proxy.connects.length;
    const r = await withEnv(env({ HTTPS_PROXY: proxy.url }), () => safeGetJson(`${srv.origin}/ok`, policy));
    expect(r.json).toEqual({ hello: 'proxy' });
    expect(r.viaProxy).toBe(proxy.url);
    expect(r.addresses).toEqual([]);
    expect(proxy.connects.slice(before).map((c) => c.target)).toEqual([`127.0.0.1:${srv.port}`]);
  });

  it('keeps one tunnel (one CONNECT, one TLS handshake) for repeated fetches', async () => {
    const connects = proxy.connects.length;
    const handshakes = srv.handshakes();
    await withEnv(env({ HTTPS_PROXY: proxy.url }), async () => {
      await safeGet(`${srv.origin}/ok`, policy);
      await safeGet(`${srv.origin}/ok`, policy);
      await safeGet(`${srv.origin}/ok`, policy);
    });
    expect(proxy.connects.length - connects).toBe(1);
    expect(srv.handshakes() - handshakes).toBe(1);
  });

  it.each(['127.0.0.1', '127.0.0.0/8', 'localhost, 127.0.0.1', '*'])('goes direct when NO_PROXY=%s matches', async (noProxy) => {
    const before = proxy.connections();
    const r = await withEnv(env({ HTTPS_PROXY: proxy.url, NO_PROXY: noProxy }), () => safeGetJson(`${srv.origin}/ok`, policy));
    expect(r.viaProxy).toBeUndefined();
    expect(proxy.connections()).toBe(before);
  });

  it('goes direct when NO_PROXY names the host and port', async () => {
    const before = proxy.connections();
    await withEnv(env({ HTTPS_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${srv.port}` }), () => safeGet(`${srv.origin}/ok`, policy));
    expect(proxy.connections()).toBe(before);
  });

  it('does not exempt loopback by itself (as curl): NO_PROXY=localhost leaves 127.0.0.1 proxied', async () => {
    const r = await withEnv(env({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost' }), () => safeGet(`${srv.origin}/ok`, policy));
    expect(r.viaProxy).toBe(proxy.url);
  });

  it('chooses again on a redirect: a hop to a NO_PROXY host goes direct', async () => {
    srv.routes.set('/away', { redirect: `https://localhost:${srv.port}/ok` });
    const before = proxy.connects.length;
    const r = await withEnv(env({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost' }), () => safeGetJson(`${srv.origin}/away`, policy));
    expect(r.finalUrl).toBe(`https://localhost:${srv.port}/ok`);
    expect(r.viaProxy).toBeUndefined();
    expect(proxy.connects.slice(before).map((c) => c.target)).toEqual([`127.0.0.1:${srv.port}`]);
  });

  it('sends user-info as Proxy-Authorization and never shows it', async () => {
    proxy.requireAuth = { user: USER, pass: PASS };
    const r = await withEnv(env({ HTTPS_PROXY: `http://${USER}:${PASS}@127.0.0.1:${proxy.port}` }), () => safeGetJson(`${srv.origin}/ok`, policy));
    expect(r.json).toEqual({ hello: 'proxy' });
    expect(r.viaProxy).toBe(proxy.url);
    expect(proxy.connects.at(-1)!.proxyAuthorization).toBe(`Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`);
    expect(JSON.stringify(r)).not.toContain(PASS);
  });
});

describe('a failing proxy is SOURCE_PROXY, not the host', () => {
  it('CONNECT answered 407: check proxy credentials — and the credentials never leak', async () => {
    proxy.requireAuth = { user: USER, pass: 'the-right-one' };
    const e = await failure(withEnv(env({ HTTPS_PROXY: `http://${USER}:${PASS}@127.0.0.1:${proxy.port}` }), () => safeGet(`${srv.origin}/ok`, policy)));
    expect(e.code).toBe('SOURCE_PROXY');
    expect(e.message).toBe(`Through proxy ${proxy.url} (HTTPS_PROXY): CONNECT 127.0.0.1:${srv.port} answered 407 — check proxy credentials (user:password in HTTPS_PROXY).`);
    expect(e.facts).toMatchObject({ connect_status: 407, via_proxy: proxy.url, proxy_env: 'HTTPS_PROXY' });
    const text = shown(e);
    for (const s of [PASS, USER, Buffer.from(`${USER}:${PASS}`).toString('base64')]) expect(text).not.toContain(s);
    expect(redactPatterns(text)).not.toContain(PASS);
  });

  it.each([
    [403, /answered 403 — the proxy refuses to connect to 127\.0\.0\.1:\d+: ask for it to be allowed, or add the host to NO_PROXY/],
    [502, /answered 502 — the proxy could not reach 127\.0\.0\.1:\d+ from its network .*does not show the host is down/],
  ])('CONNECT answered %i', async (status, message) => {
    proxy.mode = { kind: 'refuse', status };
    const e = await failure(withEnv(env({ HTTPS_PROXY: proxy.url }), () => safeGet(`${srv.origin}/ok`, policy)));
    expect(e.code).toBe('SOURCE_PROXY');
    expect(e.message).toMatch(message);
    expect(e.facts.connect_status).toBe(status);
  });

  it('a proxy that accepts and never answers CONNECT: SOURCE_PROXY at the deadline', async () => {
    proxy.mode = { kind: 'hang' };
    const e = await failure(withEnv(env({ HTTPS_PROXY: proxy.url }), () => safeGet(`${srv.origin}/ok`, { ...policy, timeoutMs: 400 })));
    expect(e.code).toBe('SOURCE_PROXY');
    expect(e.message).toMatch(/CONNECT 127\.0\.0\.1:\d+ got no answer within \d+ ms — the proxy accepted the connection but never answered/);
    expect(e.facts.elapsed_ms).toBeGreaterThanOrEqual(390);
  });

  it('nothing listens at the proxy: SOURCE_PROXY, connection refused', async () => {
    const gone = await startConnectProxy();
    await gone.close();
    const e = await failure(withEnv(env({ HTTPS_PROXY: gone.url }), () => safeGet(`${srv.origin}/ok`, policy)));
    expect(e.code).toBe('SOURCE_PROXY');
    expect(e.message).toMatch(/nothing listens there \(connection refused\) — check the proxy host and port in HTTPS_PROXY/);
  });

  it('the proxy host does not resolve: SOURCE_PROXY, not SOURCE_DNS of the issuer', async () => {
    const e = await failure(withEnv(env({ HTTPS_PROXY: 'http://no-such-proxy.invalid:3128' }), () => safeGet(`${srv.origin}/ok`, policy)));
    expect(e.code).toBe('SOURCE_PROXY');
    expect(e.message).toMatch(/the proxy's host name does not resolve/);
  });

  it('a host this machine cannot resolve still goes through the proxy; the proxy\'s 502 is reported, not a typo', async () => {
    const before = proxy.connects.length;
    const e = await failure(withEnv(env({ HTTPS_PROXY: proxy.url }), () => safeGet('https://no-such-issuer.invalid/.well-known/openid-configuration', policy)));
    expect(proxy.connects.slice(before).map((c) => c.target)).toEqual(['no-such-issuer.invalid:443']);
    expect(e.code).toBe('SOURCE_PROXY');
    expect(e.facts.connect_status).toBe(502);
    const f = fetchFailure('DISCOVERY_UNREACHABLE', 'The discovery document', e);
    expect(`${f.detail} ${f.fix}`).not.toMatch(/typo/i);
    expect(f.fix).toMatch(/nothing is known yet about the host itself/);
  });
});

describe('the host\'s own failures through a tunnel keep their class, with the proxy named', () => {
  it('a hanging issuer is SOURCE_TIMEOUT via the proxy', async () => {
    const e = await failure(withEnv(env({ HTTPS_PROXY: proxy.url }), () => safeGet(`${srv.origin}/hang`, { ...policy, timeoutMs: 400 })));
    expect(e.code).toBe('SOURCE_TIMEOUT');
    expect(e.message).toContain(`(through proxy ${proxy.url})`);
    expect(e.facts.via_proxy).toBe(proxy.url);
  });

  it('an untrusted certificate is SOURCE_TLS_UNTRUSTED via the proxy', async () => {
    const e = await failure(withEnv(env({ HTTPS_PROXY: proxy.url }), () => safeGet(`${srv.origin}/ok`, DEFAULT_HTTP_POLICY)));
    expect(e.code).toBe('SOURCE_TLS_UNTRUSTED');
    expect(e.facts.via_proxy).toBe(proxy.url);
  });

  it('an HTTP 503 is SOURCE_HTTP_STATUS via the proxy', async () => {
    const e = await failure(withEnv(env({ HTTPS_PROXY: proxy.url }), () => safeGet(`${srv.origin}/boom`, policy)));
    expect(e.code).toBe('SOURCE_HTTP_STATUS');
    expect(e.facts).toMatchObject({ status: 503, via_proxy: proxy.url });
  });

  it('a caller\'s cancel is still a cancel', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const e = await failure(withEnv(env({ HTTPS_PROXY: proxy.url }), () => safeGet(`${srv.origin}/hang`, policy, ac.signal)));
    expect(e.code).toBe('SOURCE_TIMEOUT');
    expect(e.facts).toMatchObject({ cancelled: true, via_proxy: proxy.url });
  });
});

describe('plain http to loopback (the opt-in) uses HTTP_PROXY, not HTTPS_PROXY', () => {
  let plain: Server;
  let url: string;
  beforeAll(async () => {
    plain = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"plain":true}'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => plain.close(() => r())));
  const loopback = { ...DEFAULT_HTTP_POLICY, allowHttpLoopback: true };

  it('tunnels through HTTP_PROXY', async () => {
    const before = proxy.connects.length;
    const r = await withEnv(env({ HTTP_PROXY: proxy.url }), () => safeGetJson(url, loopback));
    expect(r.json).toEqual({ plain: true });
    expect(r.viaProxy).toBe(proxy.url);
    expect(proxy.connects.slice(before).map((c) => c.target)).toEqual([new URL(url).host]);
  });

  it('goes direct with only HTTPS_PROXY set', async () => {
    const before = proxy.connections();
    const r = await withEnv(env({ HTTPS_PROXY: proxy.url }), () => safeGetJson(url, loopback));
    expect(r.viaProxy).toBeUndefined();
    expect(proxy.connections()).toBe(before);
  });
});
