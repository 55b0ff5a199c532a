/**
 * src/sources/undici.ts loads undici's dispatchers and `request` from the package's own modules
 * (not index.js): the members must be undici's very classes, `request` must behave as undici's
 * against a real loopback HTTPS server, and other members still resolve (from the whole package).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as undici from 'undici';
import { loadUndici } from '../../src/sources/undici.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';

let srv: TestHttpsServer;
beforeAll(async () => {
  srv = await startHttpsServer();
  srv.routes.set('/x', { json: { ok: true } });
});
afterAll(() => srv.close());

describe('loadUndici', () => {
  it('gives undici\'s own classes, and is not a thenable', async () => {
    const u = loadUndici();
    expect(u.Agent).toBe(undici.Agent);
    expect(u.Pool).toBe(undici.Pool);
    expect(u.Client).toBe(undici.Client);
    expect(u.ProxyAgent).toBe(undici.ProxyAgent);
    expect(u.Dispatcher).toBe(undici.Dispatcher);
    expect(u.errors).toBe(undici.errors);
    expect(await Promise.resolve(u)).toBe(u);
  });

  it('requests through a given dispatcher as undici.request does', async () => {
    const u = loadUndici();
    const agent = new u.Agent({ connect: { ca: srv.caCert } });
    try {
      const res = await u.request(`${srv.origin}/x?y=1`, { dispatcher: agent, method: 'GET' });
      expect(res.statusCode).toBe(200);
      expect(await res.body.json()).toEqual({ ok: true });
    } finally {
      await agent.close();
    }
  });
});
