/**
 * The safe fetch against a real loopback HTTPS server (CA made by openssl at test time):
 * every classified failure, redirects, and the addresses that are never contacted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/sources/errors.js';
import { DEFAULT_HTTP_POLICY, assertFetchable, isForbiddenAddress, safeGet, safeGetJson, type HttpPolicy } from '../../src/sources/http.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';

let srv: TestHttpsServer;
let wrongName: TestHttpsServer;
let policy: HttpPolicy;

beforeAll(async () => {
  srv = await startHttpsServer({
    '/ok': { json: { hello: 'world' } },
    '/hang': { hang: true },
    '/boom': { status: 503, body: 'jwks not ready' },
    '/html': { body: '<html>login</html>', headers: { 'content-type': 'text/html' } },
    '/huge': { body: 'x'.repeat(2048) },
    '/hop1': { redirect: '/hop2' },
    '/hop2': { redirect: '/ok' },
    '/loop': { redirect: '/loop' },
  });
  wrongName = await startHttpsServer({ '/ok': { json: {} } }, { wrongName: true });
  policy = { ...DEFAULT_HTTP_POLICY, ca: srv.caCert };
});
afterAll(async () => {
  await srv.close();
  await wrongName.close();
});

/** Runs the fetch and returns the SourceError it throws. */
async function failure(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SourceError);
    return e as SourceError;
  }
  throw new Error('expected the fetch to fail');
}

describe('safeGet over loopback HTTPS', () => {
  it('fetches JSON and reports status, bytes, addresses and no redirects', async () => {
    const r = await safeGetJson(`${srv.origin}/ok`, policy);
    expect(r.json).toEqual({ hello: 'world' });
    expect(r.status).toBe(200);
    expect(r.bytes).toBe(JSON.stringify({ hello: 'world' }).length);
    expect(r.addresses).toEqual([]); // a literal IP needs no DNS lookup
    expect(r.redirects).toEqual([]);
  });

  it('classifies an untrusted CA as SOURCE_TLS_UNTRUSTED', async () => {
    const e = await failure(safeGet(`${srv.origin}/ok`, DEFAULT_HTTP_POLICY));
    expect(e.code).toBe('SOURCE_TLS_UNTRUSTED');
    expect(e.message).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('classifies a certificate for another name as SOURCE_TLS_NAME', async () => {
    const e = await failure(safeGet(`${wrongName.origin}/ok`, policy));
    expect(e.code).toBe('SOURCE_TLS_NAME');
  });

  it('gives up on a hanging route with SOURCE_TIMEOUT', async () => {
    const e = await failure(safeGet(`${srv.origin}/hang`, { ...policy, timeoutMs: 300 }));
    expect(e.code).toBe('SOURCE_TIMEOUT');
  });

  it('reports a 5xx as SOURCE_HTTP_STATUS with the status and a body excerpt', async () => {
    const e = await failure(safeGet(`${srv.origin}/boom`, policy));
    expect(e.code).toBe('SOURCE_HTTP_STATUS');
    expect(e.facts.status).toBe(503);
    expect(e.facts.body_excerpt).toBe('jwks not ready');
  });

  it('reports a body that is not JSON as SOURCE_NOT_JSON with its content type', async () => {
    const e = await failure(safeGetJson(`${srv.origin}/html`, policy));
    expect(e.code).toBe('SOURCE_NOT_JSON');
    expect(e.facts.content_type).toBe('text/html');
  });

  it('stops reading a body over the limit with SOURCE_TOO_LARGE', async () => {
    const e = await failure(safeGet(`${srv.origin}/huge`, { ...policy, maxBytes: 1000 }));
    expect(e.code).toBe('SOURCE_TOO_LARGE');
    expect(e.facts.limit_bytes).toBe(1000);
  });

  it('follows same-host redirects and reports each one', async () => {
    const r = await safeGetJson(`${srv.origin}/hop1`, policy);
    expect(r.json).toEqual({ hello: 'world' });
    expect(r.finalUrl).toBe(`${srv.origin}/ok`);
    expect(r.redirects.map((x) => [new URL(x.to).pathname, x.status, x.offHost])).toEqual([
      ['/hop2', 302, false],
      ['/ok', 302, false],
    ]);
  });

  it('flags an off-host redirect', async () => {
    srv.routes.set('/away', { redirect: `https://localhost:${srv.port}/ok` });
    const r = await safeGetJson(`${srv.origin}/away`, policy);
    expect(r.redirects).toHaveLength(1);
    expect(r.redirects[0]!.offHost).toBe(true);
  });

  it('refuses more than 3 redirects with SOURCE_REDIRECT', async () => {
    const e = await failure(safeGet(`${srv.origin}/loop`, policy));
    expect(e.code).toBe('SOURCE_REDIRECT');
    expect(e.facts.redirects).toHaveLength(4);
  });

  it('refuses a redirect to a metadata address with SOURCE_BLOCKED', async () => {
    srv.routes.set('/to-metadata', { redirect: 'https://169.254.169.254/latest/meta-data/' });
    const e = await failure(safeGet(`${srv.origin}/to-metadata`, policy));
    expect(e.code).toBe('SOURCE_BLOCKED');
    expect(e.message).toContain('metadata');
  });

  it('classifies a closed port as SOURCE_REFUSED', async () => {
    const tmp = await startHttpsServer({});
    const port = tmp.port;
    await tmp.close();
    const e = await failure(safeGet(`https://127.0.0.1:${port}/`, policy));
    expect(e.code).toBe('SOURCE_REFUSED');
  });

  it('classifies a name that does not resolve as SOURCE_DNS', async () => {
    const e = await failure(safeGet('https://no-such-host.invalid/jwks', policy));
    expect(e.code).toBe('SOURCE_DNS');
  });
});

describe('blocked without any connection (SOURCE_BLOCKED)', () => {
  const blocked = [
    'http://example.com/jwks',
    'file:///etc/passwd',
    'data:application/json,{"keys":[]}',
    'http://169.254.169.254/latest/meta-data/',
    'https://169.254.169.254/',
    'https://[fe80::1]/',
    'https://[fd00:ec2::254]/',
    'https://[::ffff:169.254.169.254]/',
    'https://user:pw@example.com/',
    'not a url',
  ];
  it.each(blocked)('refuses %s', async (url) => {
    const e = await failure(safeGet(url, { ...DEFAULT_HTTP_POLICY, allowHttpLoopback: true }));
    expect(e.code).toBe('SOURCE_BLOCKED');
  });

  it('blocks before connecting: the policy check throws synchronously', () => {
    expect(() => assertFetchable('https://[fd00:ec2::254]/', DEFAULT_HTTP_POLICY)).toThrow(SourceError);
  });

  it('knows the forbidden ranges', () => {
    expect(['169.254.0.1', 'fe80::1', 'febf::1', 'fd00:ec2::254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe'].map(isForbiddenAddress)).toEqual([true, true, true, true, true, true]);
    expect(['127.0.0.1', '10.0.0.1', 'fd00::1', 'fec0::1', '8.8.8.8'].map(isForbiddenAddress)).toEqual([false, false, false, false, false]);
  });
});

describe('plain http to loopback', () => {
  let plain: Server;
  let url: string;
  let requests = 0;
  beforeAll(async () => {
    plain = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"plain":true}');
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => plain.close(() => r())));

  it('is SOURCE_BLOCKED unless allowHttpLoopback is set, without a request', async () => {
    const e = await failure(safeGet(url, DEFAULT_HTTP_POLICY));
    expect(e.code).toBe('SOURCE_BLOCKED');
    expect(e.message).toContain('allow-http-loopback');
    expect(requests).toBe(0);
  });

  it('is fetched when allowHttpLoopback is set', async () => {
    const r = await safeGetJson(url, { ...DEFAULT_HTTP_POLICY, allowHttpLoopback: true });
    expect(r.json).toEqual({ plain: true });
  });
});

describe('cancellation', () => {
  it('stops a hanging fetch when the caller aborts', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const e = await failure(safeGet(`${srv.origin}/hang`, policy, ac.signal));
    expect(e.code).toBe('SOURCE_TIMEOUT');
    expect(e.facts.cancelled).toBe(true);
  });
});
