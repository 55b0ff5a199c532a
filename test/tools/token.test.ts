import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptJWT, generateKeyPair, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/redact.js';
import { codes, run, runOk } from '../helpers/ctx.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { mintToken, NOW, NOW_DATE, testKey } from '../helpers/tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const ISS = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123';
const cognitoId = () => mintToken({ claims: { iss: ISS, sub: 'u-1', aud: 'cli-client', token_use: 'id', auth_time: NOW - 60 }, exp: 41 * 60, iat: -19 * 60 });
const cognitoAccess = () => mintToken({ claims: { iss: ISS, sub: 'u-1', client_id: 'cli-client', token_use: 'access', scope: 'openid' } });

describe('decode_token', () => {
  it('decodes header, claims, ISO times and the ID-token kind from a token_file', async () => {
    const token = await cognitoId();
    const path = fileWith('id.jwt', `Bearer ${token}\n`);
    const { output, text, verdict } = await runOk('decode_token', { token_file: path, expected_kind: 'id', consumer: 'alb' });
    expect(verdict).toBe('pass');
    expect(output.token_source).toBe(`file:${path}`);
    expect(output.token_fingerprint).toBe(fingerprint(token));
    expect(output.form).toBe('JWS');
    expect(output.header).toMatchObject({ alg: 'RS256', kid: 'test-key-1' });
    expect(output.claims).toMatchObject({ iss: ISS, token_use: 'id' });
    expect((output.times as Record<string, string>).exp).toBe(new Date((NOW + 41 * 60) * 1000).toISOString());
    expect(output.kind).toBe('id');
    expect(codes(output, 'pass')).toEqual(expect.arrayContaining(['TOKEN_ALG_UNSUPPORTED', 'TOKEN_KID_MISSING', 'TOKEN_WRONG_TYPE']));
    expect(output.summary).toMatch(/looks like an OIDC ID token; valid for another 41 minutes/);
    expect(text).toMatch(/kind: id/);
  });

  it('reports TOKEN_WRONG_TYPE when a Cognito access token is sent where the ALB needs the ID token', async () => {
    const { output, verdict } = await runOk('decode_token', { token_env: 'OC_TOKEN', expected_kind: 'id' }, { env: { OC_TOKEN: await cognitoAccess() } });
    expect(verdict).toBe('fail');
    expect(output.token_source).toBe('env:OC_TOKEN');
    expect(codes(output)).toEqual(['TOKEN_WRONG_TYPE']);
    expect(output.summary).toBe('Expected an OIDC ID token, got an OAuth access token.');
    const f = (output.findings as Array<{ code: string; fix?: string }>).find((x) => x.code === 'TOKEN_WRONG_TYPE');
    expect(f?.fix).toMatch(/opencode-auth login/);
  });

  it('reports TOKEN_ALG_UNSUPPORTED and TOKEN_KID_MISSING for an ES256 token without kid at the bridge; STS accepts ES256 and only warns', async () => {
    const token = await mintToken({ key: await testKey('ec', 'ES256'), header: { kid: undefined }, claims: { sub: 'system:serviceaccount:apps:uploader' } });
    const { output } = await runOk('decode_token', { token, consumer: 'bridge' });
    expect(codes(output).sort()).toEqual(['TOKEN_ALG_UNSUPPORTED', 'TOKEN_KID_MISSING']);
    expect(output.kind).toBe('service_account');
    const sts = await runOk('decode_token', { token, consumer: 'sts' });
    expect(codes(sts.output)).toEqual([]);
    expect(codes(sts.output, 'warn')).toEqual(['TOKEN_KID_MISSING']);
  });

  it('reports TOKEN_UNSECURED for alg none', async () => {
    const token = new UnsecuredJWT({ sub: 'x' }).setIssuedAt(NOW).setExpirationTime(NOW + 60).encode();
    const { output } = await runOk('decode_token', { token });
    expect(output.form).toBe('unsecured');
    expect(codes(output)).toEqual(['TOKEN_UNSECURED']);
  });

  it('reports TOKEN_ENCRYPTED for a JWE (warn in decode, fail in time and claims)', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const token = await new EncryptJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }).encrypt(publicKey);
    const decoded = await runOk('decode_token', { token });
    expect(decoded.output.form).toBe('JWE');
    expect(codes(decoded.output, 'warn')).toEqual(['TOKEN_ENCRYPTED']);
    const time = await runOk('check_token_time', { token });
    expect(codes(time.output)).toEqual(['TOKEN_ENCRYPTED']);
    const claims = await runOk('compare_claims', { token, expected_issuer: ISS });
    expect(codes(claims.output)).toEqual(['TOKEN_ENCRYPTED']);
  });

  describe('jku / x5u', () => {
    let srv: TestHttpsServer;
    beforeAll(async () => {
      srv = await startHttpsServer({ '/jwks.json': { json: { keys: [] } }, '/cert.pem': { body: 'x' } });
    });
    afterAll(() => srv.close());

    it('reports jku and x5u header members but never fetches them', async () => {
      const token = await mintToken({ header: { jku: `${srv.origin}/jwks.json`, x5u: `${srv.origin}/cert.pem` } });
      const { output, text } = await runOk('decode_token', { token }, { http: { ca: srv.caCert } });
      expect(output.header_urls).toEqual([
        { member: 'jku', url: `${srv.origin}/jwks.json` },
        { member: 'x5u', url: `${srv.origin}/cert.pem` },
      ]);
      expect(text).toMatch(/header jku: .* \(not fetched\)/);
      expect(srv.hits).toEqual([]);
    });
  });
});

describe('check_token_time', () => {
  it('reports TOKEN_EXPIRED in plain words with the lifetime', async () => {
    const token = await mintToken({ iat: -3600 - 23 * 60, exp: -23 * 60 });
    const { output, verdict, text } = await runOk('check_token_time', { token_file: fileWith('old.jwt', token) });
    expect(verdict).toBe('fail');
    expect(codes(output)).toEqual(['TOKEN_EXPIRED']);
    expect(output.status_text).toBe('expired 23 minutes ago');
    expect(output.lifetime).toBe('1 hour');
    expect(output.summary).toBe('The token expired 23 minutes ago.');
    expect(text).toMatch(/expired 23 minutes ago; lifetime 1 hour/);
  });

  it('evaluates at the given now (ISO or epoch seconds) and honours skew_seconds', async () => {
    const token = await mintToken({ exp: 3600 });
    const later = await runOk('check_token_time', { token, now: new Date((NOW + 3630) * 1000).toISOString() });
    expect(codes(later.output, 'warn')).toEqual(['TOKEN_EXPIRED']);
    const strict = await runOk('check_token_time', { token, now: String(NOW + 3630), skew_seconds: 0 });
    expect(codes(strict.output)).toEqual(['TOKEN_EXPIRED']);
    const fresh = await runOk('check_token_time', { token });
    expect(fresh.verdict).toBe('pass');
    expect(fresh.output.summary).toBe('The token is valid for another 1 hour (lifetime 1 hour); nbf and iat are fine.');
    expect(fresh.output.now).toBe(NOW_DATE.toISOString());
  });

  it('reports TOKEN_NOT_YET_VALID and TOKEN_ISSUED_IN_FUTURE', async () => {
    const token = await mintToken({ iat: 600, nbf: 600, exp: 4200 });
    const { output } = await runOk('check_token_time', { token });
    expect(codes(output).sort()).toEqual(['TOKEN_ISSUED_IN_FUTURE', 'TOKEN_NOT_YET_VALID']);
  });

  it('reports TOKEN_NO_EXPIRY as fail for consumer sts and warn for a generic one', async () => {
    const token = await mintToken({ exp: null });
    expect(codes((await runOk('check_token_time', { token, consumer: 'sts' })).output)).toEqual(['TOKEN_NO_EXPIRY']);
    const generic = await runOk('check_token_time', { token });
    expect(generic.verdict).toBe('pass');
    expect(codes(generic.output, 'warn')).toEqual(['TOKEN_NO_EXPIRY']);
  });

  it('rejects a now that is not a date with a usage error naming the fix', async () => {
    const r = await run('check_token_time', { token: await mintToken(), now: 'yesterday-ish' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.kind).toBe('usage');
      expect(r.message).toMatch(/ISO 8601/);
    }
  });
});

describe('compare_claims', () => {
  it('reports TOKEN_ISSUER_MISMATCH for a trailing slash and TOKEN_AUDIENCE_MISMATCH for sts.amazon.com', async () => {
    const token = await mintToken({ claims: { iss: 'https://oidc.example.ts.net/', aud: 'sts.amazon.com', sub: 'system:serviceaccount:apps:uploader' } });
    const { output, verdict } = await runOk('compare_claims', {
      token,
      expected_issuer: 'https://oidc.example.ts.net',
      expected_audience: 'sts.amazonaws.com',
      expected_subject: 'system:serviceaccount:apps:uploader',
    });
    expect(verdict).toBe('fail');
    expect(codes(output).sort()).toEqual(['TOKEN_AUDIENCE_MISMATCH', 'TOKEN_ISSUER_MISMATCH']);
    expect(codes(output, 'pass')).toEqual(['TOKEN_SUBJECT_MISMATCH']);
    const diff = (code: string) => (output.findings as Array<{ code: string; evidence: { difference?: { kind: string } } }>).find((f) => f.code === code)?.evidence.difference?.kind;
    expect(diff('TOKEN_ISSUER_MISMATCH')).toBe('trailing_slash');
    expect(diff('TOKEN_AUDIENCE_MISMATCH')).toBe('near_miss');
    expect(output.compared).toEqual(['iss', 'aud', 'sub']);
  });

  it('reports TOKEN_AUDIENCE_MISMATCH for an aud array with aud_format single-string, and TOKEN_CLAIM_MISSING', async () => {
    const token = await mintToken({ claims: { aud: ['cli-client'], token_use: 'id' } });
    const { output } = await runOk('compare_claims', { token, expected_audience: 'cli-client', aud_format: 'single-string', expected_claims: { token_use: 'id', email_verified: true } });
    expect(codes(output).sort()).toEqual(['TOKEN_AUDIENCE_MISMATCH', 'TOKEN_CLAIM_MISSING']);
    expect(codes(output, 'pass')).toEqual(['TOKEN_CLAIM_MISMATCH']);
  });

  it('passes when every claim matches and says so', async () => {
    const { output, verdict } = await runOk('compare_claims', { token: await cognitoId(), expected_issuer: ISS, expected_audience: 'cli-client' });
    expect(verdict).toBe('pass');
    expect(output.summary).toBe('All 2 compared claims (iss, aud) match exactly.');
  });

  it('rejects a call with nothing to compare', async () => {
    const r = await run('compare_claims', { token: await mintToken() });
    expect(r.ok ? '' : r.message).toMatch(/Nothing to compare.*expected_issuer/);
  });
});

describe('token input and TOKEN_MALFORMED', () => {
  it('reports TOKEN_MALFORMED as a fail result, not an error', async () => {
    const { output, verdict } = await runOk('decode_token', { token: 'not-a-jwt' });
    expect(verdict).toBe('fail');
    expect(codes(output)).toEqual(['TOKEN_MALFORMED']);
    expect(output.token_fingerprint).toBe(fingerprint('not-a-jwt'));
  });

  it.each([
    ['no token source', {}, {}, /No token given\. Pass one of token, token_file, token_env/],
    ['two sources', { token: 'a.b.c', token_env: 'X' }, { X: 'a.b.c' }, /More than one token source.*Pass only one/],
    ['a missing file', { token_file: join(tmpdir(), 'does-not-exist.jwt') }, {}, /does not exist\. Check the path/],
    ['an unset env var', { token_env: 'NOPE_TOKEN' }, {}, /NOPE_TOKEN is not set.*"env" block/],
  ])('returns a usage error for %s, naming the fix', async (_label, input, env, message) => {
    for (const tool of ['decode_token', 'check_token_time', 'compare_claims']) {
      const extra = tool === 'compare_claims' ? { expected_issuer: ISS } : {};
      const r = await run(tool, { ...input, ...extra }, { env });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.kind).toBe('usage');
        expect(r.message).toMatch(message);
      }
    }
  });
});

describe('redaction canary', () => {
  const inputs = {
    decode_token: { expected_kind: 'access', consumer: 'alb' },
    check_token_time: { consumer: 'sts' },
    compare_claims: { expected_issuer: ISS + '/', expected_audience: 'other', expected_claims: { token_use: 'access' } },
  } as const;

  it.each(Object.keys(inputs) as Array<keyof typeof inputs>)('%s never outputs the raw token or its signature', async (tool) => {
    const token = await cognitoId();
    const signature = token.split('.')[2]!;
    const path = fileWith('canary.jwt', token);
    for (const source of [{ token }, { token_file: path }, { token_env: 'CANARY' }]) {
      const { output, text } = await runOk(tool, { ...source, ...inputs[tool] }, { env: { CANARY: token } });
      const json = JSON.stringify(output);
      for (const secret of [token, signature]) {
        expect(json).not.toContain(secret);
        expect(text).not.toContain(secret);
      }
      expect(json).toContain(fingerprint(token));
    }
  });
});
