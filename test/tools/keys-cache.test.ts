/**
 * check_jwks, compare_jwks and diagnose_rejection share the process's discovery/JWKS cache
 * (src/sources/http-cache.ts), against a real loopback HTTPS issuer that counts requests. A key
 * rotation must never be reported as a missing kid because of the cache.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { codes, runOk } from '../helpers/ctx.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { jwksOf, mintToken, testKey, type TestKey } from '../helpers/tokens.js';

let srv: TestHttpsServer;
let http: { ca: string };
let oldKey: TestKey;
let newKey: TestKey;
const count = (suffix: string) => srv.hits.filter((h) => h.endsWith(suffix)).length;

beforeAll(async () => {
  [oldKey, newKey] = await Promise.all([testKey('old-key'), testKey('new-key')]);
  srv = await startHttpsServer();
  http = { ca: srv.caCert };
});
afterAll(() => srv.close());
beforeEach(() => {
  srv.hits.length = 0;
  srv.routes.set('/.well-known/openid-configuration', { json: { issuer: srv.origin, jwks_uri: `${srv.origin}/jwks`, id_token_signing_alg_values_supported: ['RS256'] } });
  srv.routes.set('/jwks', { json: jwksOf(oldKey) });
});

describe('the shared cache inside one process', () => {
  it('fetches discovery and the JWKS once for repeated check_jwks calls and diagnoses', async () => {
    const token = await mintToken({ key: oldKey, claims: { iss: srv.origin, aud: 'app' } });
    for (let i = 0; i < 3; i++) {
      await runOk('check_jwks', { issuer: srv.origin, token }, { http });
      await runOk('diagnose_rejection', { token, expected_audience: 'app' }, { http });
    }
    expect(count('/openid-configuration')).toBe(1);
    expect(count('/jwks')).toBe(1);
  });

  it('check_jwks sees a rotated key at once: a kid the cached set lacks refetches it (no false JWKS_KID_NOT_FOUND)', async () => {
    await runOk('check_jwks', { issuer: srv.origin }, { http });
    srv.routes.set('/jwks', { json: jwksOf(oldKey, newKey) });
    const token = await mintToken({ key: newKey, claims: { iss: srv.origin, aud: 'app' } });
    const r = await runOk('check_jwks', { issuer: srv.origin, token }, { http });
    expect(codes(r.output)).not.toContain('JWKS_KID_NOT_FOUND');
    expect(r.output.signature).toBe('valid');
    expect(count('/jwks')).toBe(2);
  });

  it('diagnose_rejection sees a rotated key at once too', async () => {
    const before = await mintToken({ key: oldKey, claims: { iss: srv.origin, aud: 'app' } });
    await runOk('diagnose_rejection', { token: before, expected_audience: 'app' }, { http });
    srv.routes.set('/jwks', { json: jwksOf(oldKey, newKey) });
    const after = await mintToken({ key: newKey, claims: { iss: srv.origin, aud: 'app' } });
    const r = await runOk('diagnose_rejection', { token: after, expected_audience: 'app' }, { http });
    expect(codes(r.output)).not.toContain('JWKS_KID_NOT_FOUND');
  });

  it('compare_jwks always reads both sets now (it is the tool for a rotation in progress)', async () => {
    await runOk('check_jwks', { issuer: srv.origin }, { http });
    srv.routes.set('/jwks', { json: jwksOf(oldKey, newKey) });
    const r = await runOk('compare_jwks', { a_url: `${srv.origin}/jwks`, b_issuer: srv.origin }, { http });
    expect(r.output.in_both).toHaveLength(2);
  });
});
