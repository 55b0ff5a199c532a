/**
 * check_discovery, check_jwks and compare_jwks through run(), against a loopback HTTPS
 * issuer (discovery + JWKS) with a CA made at test time, breaking one thing at a time.
 * The cluster side of compare_jwks uses the real kubectl against the kube API stand-in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { codes, run, runOk } from '../helpers/ctx.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { startKubeStandin, type KubeStandin } from '../helpers/kube-standin.js';
import { need } from '../helpers/needs.js';
import { jwksOf, mintToken, testKey, type TestKey } from '../helpers/tokens.js';

let srv: TestHttpsServer;
let key: TestKey;
let other: TestKey;
let http: { ca: string };
const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-keys-'));

const DISCOVERY = '/.well-known/openid-configuration';
const findingOf = (o: Record<string, unknown>, code: string) => (o.findings as Array<{ code: string; status: string; evidence: Record<string, unknown>; detail: string }>).find((f) => f.code === code);

function world() {
  srv.routes.clear();
  srv.routes.set(DISCOVERY, {
    json: { issuer: srv.origin, jwks_uri: `${srv.origin}/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] },
  });
  srv.routes.set('/jwks', { json: jwksOf(key) });
}

/** A token from the loopback issuer, passed by environment variable (never inline). */
async function tokenEnv(opts: Parameters<typeof mintToken>[0] = {}) {
  const raw = await mintToken({ key, claims: { iss: srv.origin, sub: 'system:serviceaccount:default:app', aud: 'sts.amazonaws.com' }, ...opts });
  return { raw, input: { token_env: 'JWT' }, opts: { http, env: { JWT: raw } } };
}

beforeAll(async () => {
  [key, other] = await Promise.all([testKey('key-1'), testKey('key-2')]);
  srv = await startHttpsServer({});
  http = { ca: srv.caCert };
});
afterAll(() => srv.close());
beforeEach(() => world());

describe('check_discovery', () => {
  it('passes for a consistent issuer and never shows the token', async () => {
    const t = await tokenEnv();
    const r = await runOk('check_discovery', { ...t.input, consumer: 'sts' }, t.opts);
    expect(r.verdict).toBe('pass');
    expect(codes(r.output, 'pass')).toEqual(expect.arrayContaining(['DISCOVERY_UNREACHABLE', 'DISCOVERY_INVALID', 'DISCOVERY_ISSUER_MISMATCH', 'DISCOVERY_JWKS_URI_INVALID']));
    expect(r.output).toMatchObject({ issuer: srv.origin, document: { jwks_uri: `${srv.origin}/jwks` }, attempts: [{ attempt: 1, ok: true }] });
    expect(r.output.token_fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
    const all = JSON.stringify(r.output) + r.text;
    expect(all).not.toContain(t.raw);
    expect(all).not.toContain(t.raw.split('.')[2]);
  });

  it('reports DISCOVERY_UNREACHABLE with SOURCE_HTTP_STATUS on a 404', async () => {
    srv.routes.delete(DISCOVERY);
    const r = await runOk('check_discovery', { issuer: srv.origin }, { http });
    const f = findingOf(r.output, 'DISCOVERY_UNREACHABLE');
    expect(f).toMatchObject({ status: 'error', evidence: { cause: 'SOURCE_HTTP_STATUS', status: 404 } });
    expect(r.verdict).toBe('error');
  });

  it('reports DISCOVERY_UNREACHABLE with SOURCE_TLS_UNTRUSTED when the CA is not trusted', async () => {
    const r = await runOk('check_discovery', { issuer: srv.origin });
    expect(findingOf(r.output, 'DISCOVERY_UNREACHABLE')?.evidence.cause).toBe('SOURCE_TLS_UNTRUSTED');
  });

  it('reports DISCOVERY_ISSUER_MISMATCH when the token iss has a trailing slash', async () => {
    const t = await tokenEnv({ claims: { iss: `${srv.origin}/` } });
    const r = await runOk('check_discovery', t.input, t.opts);
    const f = findingOf(r.output, 'DISCOVERY_ISSUER_MISMATCH');
    expect(f).toMatchObject({ status: 'fail', evidence: { difference: 'trailing_slash', expected_from: 'token iss' } });
    expect(r.verdict).toBe('fail');
  });

  it('reports DISCOVERY_JWKS_URI_INVALID when jwks_uri is plain http', async () => {
    srv.routes.set(DISCOVERY, { json: { issuer: srv.origin, jwks_uri: 'http://example.com/jwks' } });
    const r = await runOk('check_discovery', { issuer: srv.origin }, { http });
    expect(codes(r.output)).toContain('DISCOVERY_JWKS_URI_INVALID');
  });

  it('reports DISCOVERY_INVALID when the document is not an object', async () => {
    srv.routes.set(DISCOVERY, { json: ['not', 'an', 'object'] });
    const r = await runOk('check_discovery', { issuer: srv.origin }, { http });
    expect(codes(r.output)).toEqual(['DISCOVERY_INVALID']);
  });

  it('reports DISCOVERY_INVALID for consumer bridge when RS256 is not advertised, not for sts (STS accepts ES256)', async () => {
    srv.routes.set(DISCOVERY, { json: { issuer: srv.origin, jwks_uri: `${srv.origin}/jwks`, id_token_signing_alg_values_supported: ['ES256'] } });
    const r = await runOk('check_discovery', { issuer: srv.origin, consumer: 'bridge' }, { http });
    expect(codes(r.output)).toContain('DISCOVERY_INVALID');
    const sts = await runOk('check_discovery', { issuer: srv.origin, consumer: 'sts' }, { http });
    expect(codes(sts.output)).not.toContain('DISCOVERY_INVALID');
  });

  it('warns DISCOVERY_REDIRECTED for an off-host redirect and reports it', async () => {
    srv.routes.set(`/moved${DISCOVERY}`, { redirect: `https://localhost:${srv.port}${DISCOVERY}` });
    const r = await runOk('check_discovery', { issuer: `${srv.origin}/moved` }, { http });
    expect(findingOf(r.output, 'DISCOVERY_REDIRECTED')?.status).toBe('warn');
    expect(r.output.redirects).toMatchObject([{ status: 302, off_host: true }]);
  });

  it('reports progress per attempt and succeeds when the endpoint answers on attempt 2', async () => {
    let hits = 0;
    const doc = { issuer: srv.origin, jwks_uri: `${srv.origin}/jwks` };
    srv.routes.set(DISCOVERY, (_req: IncomingMessage, res: ServerResponse) => {
      hits++;
      if (hits === 1) res.writeHead(503, { 'content-type': 'text/plain' }).end('jwks not ready');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
    });
    const progress: Array<[number, number | undefined, string | undefined]> = [];
    const r = await runOk('check_discovery', { issuer: srv.origin, attempts: 5, interval_seconds: 0.05 }, { http, progress: (p, t, m) => progress.push([p, t, m]) });
    expect(progress.map(([p, t]) => [p, t])).toEqual([
      [1, 5],
      [2, 5],
    ]);
    expect(progress[0]?.[2]).toContain(DISCOVERY);
    expect(r.output.attempts).toMatchObject([
      { attempt: 1, ok: false, cause: 'SOURCE_HTTP_STATUS', http_status: 503 },
      { attempt: 2, ok: true },
    ]);
    expect(findingOf(r.output, 'DISCOVERY_UNREACHABLE')?.status).toBe('warn');
    expect(r.verdict).toBe('pass');
  });

  it('stops retrying when the caller cancels', async () => {
    srv.routes.delete(DISCOVERY);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const r = await runOk('check_discovery', { issuer: srv.origin, attempts: 20, interval_seconds: 60 }, { http, signal: ac.signal });
    expect((r.output.attempts as unknown[]).length).toBe(1);
    expect(findingOf(r.output, 'DISCOVERY_UNREACHABLE')?.status).toBe('error');
  });

  it('is a usage error with neither issuer nor token', async () => {
    const r = await run('check_discovery', {});
    expect(r).toMatchObject({ ok: false, kind: 'usage' });
  });
});

describe('check_jwks', () => {
  it('finds the JWKS through the token iss, lists keys and verifies the signature', async () => {
    const t = await tokenEnv();
    const r = await runOk('check_jwks', { ...t.input, consumer: 'sts' }, t.opts);
    expect(r.verdict).toBe('pass');
    expect(r.output).toMatchObject({ source: `public: ${srv.origin}/jwks`, signature: 'valid', token_kid: 'key-1', token_alg: 'RS256' });
    expect(r.output.keys).toMatchObject([{ kid: 'key-1', kty: 'RSA', alg: 'RS256', use: 'sig', size_bits: 2048, usable: true, has_private_members: false }]);
    expect(codes(r.output, 'pass')).toEqual(expect.arrayContaining(['JWKS_INVALID', 'JWKS_KID_NOT_FOUND', 'SIGNATURE_INVALID', 'JWKS_CONSUMER_LIMIT', 'TOKEN_ALG_UNSUPPORTED']));
    expect(JSON.stringify(r.output) + r.text).not.toContain(t.raw.split('.')[2]);
  });

  it('reads a JWKS from jwks_url and from jwks_file', async () => {
    const byUrl = await runOk('check_jwks', { jwks_url: `${srv.origin}/jwks` }, { http });
    const path = join(dir, 'jwks.json');
    writeFileSync(path, JSON.stringify(jwksOf(key, other)));
    const byFile = await runOk('check_jwks', { jwks_file: path });
    expect((byUrl.output.keys as unknown[]).length).toBe(1);
    expect(byFile.output).toMatchObject({ source: `file: ${path}`, signature: 'not_checked' });
    expect((byFile.output.keys as Array<{ kid: string }>).map((k) => k.kid)).toEqual(['key-1', 'key-2']);
  });

  it('reports JWKS_KID_NOT_FOUND when the signing key is not published', async () => {
    const t = await tokenEnv({ key: other });
    const r = await runOk('check_jwks', t.input, t.opts);
    expect(codes(r.output)).toEqual(['JWKS_KID_NOT_FOUND']);
    expect(r.output.signature).toBe('not_checked');
  });

  it('reports SIGNATURE_INVALID when another key signed under the published kid', async () => {
    const t = await tokenEnv({ key: other, header: { kid: 'key-1' } });
    const r = await runOk('check_jwks', t.input, t.opts);
    expect(codes(r.output)).toEqual(['SIGNATURE_INVALID']);
    expect(r.output.signature).toBe('invalid');
  });

  it('reports TOKEN_KID_MISSING when the token header has no kid: fail for the ALB, warn for STS, and checks the signature with the single key', async () => {
    const t = await tokenEnv({ header: { kid: undefined } });
    const alb = await runOk('check_jwks', { ...t.input, consumer: 'alb' }, t.opts);
    expect(codes(alb.output)).toContain('TOKEN_KID_MISSING');
    const sts = await runOk('check_jwks', { ...t.input, consumer: 'sts' }, t.opts);
    expect(codes(sts.output, 'warn')).toContain('TOKEN_KID_MISSING');
    expect(sts.output.signature).toBe('valid');
  });

  it('verifies the RFC 7515 A.2 token (no kid) from a jwks_file: valid when genuine, invalid when altered', async () => {
    // RFC 7515 Appendix A.2: the RS256 example JWS and its public key, from the RFC text.
    const n = 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ';
    const a2 = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw';
    const path = join(dir, 'rfc7515-a2.json');
    writeFileSync(path, JSON.stringify({ keys: [{ kty: 'RSA', e: 'AQAB', n }] }));
    const genuine = await runOk('check_jwks', { jwks_file: path, token_env: 'JWT' }, { env: { JWT: a2 } });
    expect(genuine.output.signature).toBe('valid');
    const i = a2.lastIndexOf('.') + 5; // one signature character changed
    const bad = `${a2.slice(0, i)}${a2[i] === 'A' ? 'B' : 'A'}${a2.slice(i + 1)}`;
    const altered = await runOk('check_jwks', { jwks_file: path, token_env: 'JWT' }, { env: { JWT: bad } });
    expect(altered.output.signature).toBe('invalid');
  });

  it('reports JWKS_PRIVATE_KEY_EXPOSED and never shows the private members', async () => {
    srv.routes.set('/jwks', { json: { keys: [key.privateJwk] } });
    const r = await runOk('check_jwks', { jwks_url: `${srv.origin}/jwks` }, { http });
    expect(codes(r.output)).toContain('JWKS_PRIVATE_KEY_EXPOSED');
    const all = JSON.stringify(r.output) + r.text;
    for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) expect(all).not.toContain(String(key.privateJwk[m]));
  });

  it('reports JWKS_UNREACHABLE with the status when the JWKS answers 503', async () => {
    srv.routes.set('/jwks', { status: 503, body: 'jwks not ready' });
    const r = await runOk('check_jwks', { issuer: srv.origin }, { http });
    expect(findingOf(r.output, 'JWKS_UNREACHABLE')).toMatchObject({ status: 'error', evidence: { cause: 'SOURCE_HTTP_STATUS', status: 503 } });
  });

  it('reports DISCOVERY_UNREACHABLE when the JWKS is sought through a missing discovery document', async () => {
    srv.routes.delete(DISCOVERY);
    const r = await runOk('check_jwks', { issuer: srv.origin }, { http });
    expect(findingOf(r.output, 'DISCOVERY_UNREACHABLE')?.status).toBe('error');
    expect(r.output.keys).toEqual([]);
  });

  it('reports JWKS_CONSUMER_LIMIT for an ALB given more than 10 keys', async () => {
    const many = await Promise.all(Array.from({ length: 11 }, (_, i) => testKey(`many-${i}`)));
    srv.routes.set('/jwks', { json: jwksOf(...many) });
    const r = await runOk('check_jwks', { jwks_url: `${srv.origin}/jwks`, consumer: 'alb' }, { http });
    expect(codes(r.output)).toEqual(['JWKS_CONSUMER_LIMIT']);
  });

  it('reports TOKEN_ALG_UNSUPPORTED for an ES256 token with consumer alb', async () => {
    const ec = await testKey('ec-1', 'ES256');
    srv.routes.set('/jwks', { json: jwksOf(ec) });
    const t = await tokenEnv({ key: ec });
    const r = await runOk('check_jwks', { ...t.input, consumer: 'alb' }, t.opts);
    expect(codes(r.output)).toContain('TOKEN_ALG_UNSUPPORTED');
    expect(r.output.signature).toBe('valid');
  });

  it('never follows the token header jku', async () => {
    srv.routes.set('/evil-jwks', { json: jwksOf(other) });
    const t = await tokenEnv({ key: other, header: { kid: 'key-2', jku: `${srv.origin}/evil-jwks` } });
    const r = await runOk('check_jwks', t.input, t.opts);
    expect(srv.hits).not.toContain('/evil-jwks');
    expect(codes(r.output)).toContain('JWKS_KID_NOT_FOUND');
  });

  it('reports TOKEN_UNSECURED for an alg "none" token', async () => {
    const raw = new UnsecuredJWT({ iss: srv.origin, sub: 'x' }).encode();
    const r = await runOk('check_jwks', { jwks_url: `${srv.origin}/jwks`, token_env: 'JWT' }, { http, env: { JWT: raw } });
    expect(codes(r.output)).toEqual(['TOKEN_UNSECURED']);
  });

  it('is a usage error with two sources', async () => {
    const r = await run('check_jwks', { jwks_url: `${srv.origin}/jwks`, issuer: srv.origin }, { http });
    expect(r).toMatchObject({ ok: false, kind: 'usage' });
  });

  it('reports TOKEN_MALFORMED for a token that is not a JWT', async () => {
    const r = await runOk('check_jwks', { jwks_url: `${srv.origin}/jwks`, token_env: 'JWT' }, { http, env: { JWT: 'not-a-jwt' } });
    expect(codes(r.output)).toContain('TOKEN_MALFORMED');
  });
});

describe('compare_jwks', () => {
  it('warns JWKS_SETS_DIFFER with kids per side and labels naming the source', async () => {
    const path = join(dir, 'b.json');
    writeFileSync(path, JSON.stringify(jwksOf(other)));
    const t = await tokenEnv();
    const r = await runOk('compare_jwks', { a_url: `${srv.origin}/jwks`, b_file: path, ...t.input }, t.opts);
    expect(r.output).toMatchObject({
      a: { label: `public: ${srv.origin}/jwks`, loaded: true, kids: ['key-1'] },
      b: { label: `file: ${path}`, loaded: true, kids: ['key-2'] },
      only_in_a: ['key-1'],
      only_in_b: ['key-2'],
      in_both: [],
      token_kid: 'key-1',
      token_kid_in_a: true,
      token_kid_in_b: false,
    });
    expect(findingOf(r.output, 'JWKS_SETS_DIFFER')?.status).toBe('warn');
    expect(codes(r.output)).toEqual(['JWKS_KID_NOT_FOUND']);
  });

  it('passes JWKS_SETS_DIFFER for the same set by issuer and by URL', async () => {
    const r = await runOk('compare_jwks', { a_issuer: srv.origin, b_url: `${srv.origin}/jwks` }, { http });
    expect(findingOf(r.output, 'JWKS_SETS_DIFFER')?.status).toBe('pass');
    expect(r.output.in_both).toEqual([{ kid: 'key-1', same_key: true }]);
  });

  it('reports JWKS_UNREACHABLE for a side that cannot be fetched and compares nothing', async () => {
    const r = await runOk('compare_jwks', { a_url: `${srv.origin}/jwks`, b_url: `${srv.origin}/missing` }, { http });
    expect(findingOf(r.output, 'JWKS_UNREACHABLE')?.status).toBe('error');
    expect(r.output.b).toMatchObject({ loaded: false });
    expect(findingOf(r.output, 'JWKS_SETS_DIFFER')).toBeUndefined();
  });

  it('is a usage error when a side has no source', async () => {
    expect(await run('compare_jwks', { a_url: `${srv.origin}/jwks` }, { http })).toMatchObject({ ok: false, kind: 'usage' });
  });

  describe.skipIf(!need('kubectl'))('with the cluster as one side (real kubectl, kube API stand-in)', () => {
    let kube: KubeStandin;
    beforeAll(async () => {
      kube = await startKubeStandin({ issuer: 'https://127.0.0.1', jwks: jwksOf(key, other) });
    });
    afterAll(() => kube.close());

    it('reports JWKS_PUBLIC_CLUSTER_DRIFT when the cluster signs with a key the public JWKS lacks', async () => {
      const r = await runOk('compare_jwks', { a_cluster: true, a_kubeconfig: kube.kubeconfig, a_context: kube.context, b_issuer: srv.origin }, { http });
      expect(r.output.a).toMatchObject({ label: `cluster (${kube.context})`, kids: ['key-1', 'key-2'] });
      expect(r.output.b).toMatchObject({ label: `public: ${srv.origin}/jwks` });
      const f = findingOf(r.output, 'JWKS_PUBLIC_CLUSTER_DRIFT');
      expect(f).toMatchObject({ status: 'fail', evidence: { missing_kids: ['key-2'] } });
      expect(r.verdict).toBe('fail');
    });

    it('reports CLUSTER_UNREACHABLE when kubectl is rejected', async () => {
      const r = await runOk('compare_jwks', { a_cluster: true, a_kubeconfig: kube.kubeconfigWith({ token: 'wrong' }), b_issuer: srv.origin }, { http });
      expect(findingOf(r.output, 'CLUSTER_UNREACHABLE')).toMatchObject({ status: 'error', evidence: { cause: 'SOURCE_KUBECTL_FAILED' } });
    });
  });
});
