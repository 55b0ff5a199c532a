import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { need } from '../helpers/needs.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { codes, run, runOk } from '../helpers/ctx.js';
import { jwksOf, mintToken, testKey } from '../helpers/tokens.js';

const hasOpenssl = need('openssl');

describe.skipIf(!hasOpenssl)('diagnose (generic preset) against a loopback HTTPS issuer', () => {
  let srv: TestHttpsServer;
  let issuer: string;
  const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-diag-'));
  const tokenFile = async (opts: Parameters<typeof mintToken>[0]) => {
    const raw = await mintToken(opts);
    const f = join(dir, `t${Math.random().toString(36).slice(2)}.jwt`);
    writeFileSync(f, raw + '\n');
    return { raw, f };
  };
  const opts = () => ({ http: { ca: srv.caCert } });

  beforeAll(async () => {
    const key = await testKey('current');
    srv = await startHttpsServer();
    issuer = `${srv.origin}/pool`;
    srv.routes.set('/pool/.well-known/openid-configuration', {
      json: { issuer, jwks_uri: `${issuer}/jwks.json`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] },
    });
    srv.routes.set('/pool/jwks.json', { json: jwksOf(key) });
  });
  afterAll(async () => srv?.close());

  it('passes a good ID token and says nothing explains a rejection', async () => {
    const key = await testKey('current');
    const { f } = await tokenFile({ key, claims: { iss: issuer, aud: 'client-a', sub: 'u1', token_use: 'id' } });
    const r = await runOk('diagnose_rejection', { token_file: f, expected_audience: 'client-a', expected_kind: 'id', consumer: 'alb' }, opts());
    expect(r.verdict).toBe('pass');
    expect(r.output.root_cause).toBeNull();
    expect(r.output.summary).toMatch(/Nothing found that explains a rejection/);
    expect((r.output.sections as Array<{ label: string }>).map((s) => s.label)).toEqual(['Token', 'Token status', 'Issuer match', 'Audience match', 'Keys']);
    // A passing section reads as what holds, never as a code's name.
    expect(r.text).toMatch(/Token status\s+✓ valid for another/);
    expect(r.text).not.toMatch(/✓ [A-Z_]{6,}/);
  });

  it('names JWKS_KID_NOT_FOUND as the root cause for a token signed by a rotated-out key', async () => {
    const old = await testKey('retired');
    const { raw, f } = await tokenFile({ key: old, claims: { iss: issuer, aud: 'client-a' } });
    const r = await runOk('diagnose_rejection', { token_file: f, expected_audience: 'client-a' }, opts());
    expect(r.verdict).toBe('fail');
    expect((r.output.root_cause as { code: string }).code).toBe('JWKS_KID_NOT_FOUND');
    expect(r.text).toContain('Diagnosis: JWKS_KID_NOT_FOUND');
    expect(r.text + JSON.stringify(r.output)).not.toContain(raw.split('.')[2]!);
  });

  it('names TOKEN_EXPIRED when only the time is wrong, in plain words', async () => {
    const key = await testKey('current');
    const { f } = await tokenFile({ key, claims: { iss: issuer, aud: 'client-a' }, iat: -7200, exp: -1380 });
    const r = await runOk('diagnose_rejection', { token_file: f, expected_audience: 'client-a' }, opts());
    expect((r.output.root_cause as { code: string }).code).toBe('TOKEN_EXPIRED');
    expect(r.text).toContain('expired 23 minutes ago');
  });

  it('reports JWKS_UNREACHABLE as could-not-check (verdict error) when the JWKS is down', async () => {
    const key = await testKey('current');
    const { f } = await tokenFile({ key, claims: { iss: issuer, aud: 'client-a' } });
    const r = await runOk('diagnose_rejection', { token_file: f, jwks_url: `${srv.origin}/missing-jwks` }, opts());
    expect(codes(r.output, 'error')).toContain('JWKS_UNREACHABLE');
    expect(r.verdict).toBe('error');
  });

  it('judges the token alone with offline: true (no fetch)', async () => {
    const key = await testKey('current');
    const before = srv.hits.length;
    const { f } = await tokenFile({ key, claims: { iss: issuer, aud: 'client-b' } });
    const r = await runOk('diagnose_rejection', { token_file: f, expected_audience: 'client-a', offline: true }, opts());
    expect(srv.hits.length).toBe(before);
    expect((r.output.root_cause as { code: string }).code).toBe('TOKEN_AUDIENCE_MISMATCH');
  });

  it('is a usage error without a token source', async () => {
    const r = await run('diagnose_rejection', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/No token given.*token_file/);
  });
});
