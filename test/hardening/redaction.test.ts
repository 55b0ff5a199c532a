/**
 * Issue 11 §4 and §5 (nesting): the secret shapes the redactor missed, fixed in the redactor's
 * shared passes (patterns; field names in the structural pass), proved through the tools that
 * showed them (compare_claims, check_role_trust, progress notifications), plus the nesting guards.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactPatterns, Redactor } from '../../src/redact.js';
import { findTool } from '../../src/tools/index.js';
import { runTool } from '../../src/tools/run.js';
import { mintToken } from '../helpers/tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-redact-'));

describe('log-line shapes', () => {
  it.each([
    ['cookie next to accept: */*', 'GET /v1 cookie: sid=CANARYcookie0001 accept: */*', 'CANARYcookie0001'],
    ['x-api-key next to accept: */*', 'x-api-key: CANARYxapikey0002 accept: */*', 'CANARYxapikey0002'],
    ['a cookie value with <>', 'cookie: sid=CANARY<cookie>0003value', 'CANARY'],
    ['a Python-style dict', "{'cookie': 'sid=CANARYpython0004', 'accept': '*/*'}", 'CANARYpython0004'],
    ['a JSON-escaped header inside a string', '{"msg":"{\\"authorization\\": \\"Token CANARYescaped0005\\"}"}', 'CANARYescaped0005'],
    ['a dashed aws-secret-access-key', 'aws-secret-access-key: CANARYdashedSecretKey00000006', 'CANARYdashedSecretKey00000006'],
    ['a dashed aws-session-token', 'aws-session-token = CANARYdashedSessionToken0007xyz', 'CANARYdashedSessionToken0007xyz'],
    ['URL userinfo', 'issuer https://admin:CANARYpw0008@issuer.example/x', 'CANARYpw0008'],
    ['URL user only', 'see https://CANARYuser0009@issuer.example/', 'CANARYuser0009'],
    ['?access_token=', 'GET https://api.example/v1?access_token=CANARYq0010&x=1', 'CANARYq0010'],
    ['&id_token=', 'https://app.example/cb?state=1&id_token=CANARYq0011', 'CANARYq0011'],
    ['#code=', 'https://app.example/cb#code=CANARYq0012', 'CANARYq0012'],
    ['client_secret query', '/token?client_secret=CANARYq0013', 'CANARYq0013'],
    ['api_key query', '/v1?api_key=CANARYq0014', 'CANARYq0014'],
    ['SigV4 presigned', 'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIDCANARY0015%2F20261202&X-Amz-Signature=CANARYsig0016', 'CANARYsig0016'],
    ['refresh_token in JSON', '{"refresh_token":"CANARYrt0017"}', 'CANARYrt0017'],
    ['password in Python', "{'password': 'CANARYpw0018'}", 'CANARYpw0018'],
  ])('%s', (_what, input, canary) => {
    const out = redactPatterns(input);
    expect(out).not.toContain(canary);
    expect(out).toContain('[REDACTED:');
  });

  it('keeps prose, placeholders and URLs without credentials readable', () => {
    for (const text of [
      'Authorization: Bearer <ID token> is matched by rule 5.',
      'Send X-API-Key: oc_… with the request.',
      'Cookie: none',
      'https://issuer.example/.well-known/openid-configuration?x=1',
      'accept: */*',
      'mail user@example.com',
      'token_use access',
    ]) expect(redactPatterns(text)).toBe(text);
  });
});

describe('secret-named claims, wherever claims are shown (structural pass)', () => {
  it('a nested refresh_token and {claim, actual, expected} objects are redacted, and prose repeating them too', () => {
    const out = new Redactor().redact({
      claims: { sub: 'u', nested: { refresh_token: 'CANARY-nested-rt' } },
      evidence: { claim: 'client_secret', actual: 'CANARY-actual-cs', expected: 'CANARY-expected-cs', difference: { kind: 'different', text: 'the values are different ("CANARY-actual-cs" vs "CANARY-expected-cs")' } },
      detail: 'client_secret "CANARY-actual-cs" vs expected; nested {"refresh_token":"CANARY-nested-rt"}',
      condition: { key: 'issuer.example:password', values: ['CANARY-cond-pw'] },
    });
    expect(JSON.stringify(out)).not.toMatch(/CANARY/);
  });

  it('compare_claims and check_role_trust never show a secret-named claim (tool level)', async () => {
    const tok = await mintToken({ claims: { iss: 'https://issuer.example', sub: 'system:serviceaccount:a:b', aud: 'sts.amazonaws.com', client_secret: 'CANARY-cs-1', password: 'CANARY-pw-2', nested: { refresh_token: 'CANARY-rt-3' } } });
    const f = join(dir, 't.jwt');
    writeFileSync(f, tok);
    const cmp = await runTool(findTool('compare_claims')!, { token_file: f, expected_claims: { client_secret: 'CANARY-exp-4', password: 'CANARY-exp-x', nested: { refresh_token: 'CANARY-exp-5' } }, expected_issuer: 'https://a:CANARY-ui-6@issuer.example/?access_token=CANARY-q-7' });
    const trust = await runTool(findTool('check_role_trust')!, {
      token_file: f,
      offline: true,
      role_arn: 'arn:aws:iam::123456789012:role/r',
      trust_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/issuer.example' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'issuer.example:client_secret': 'CANARY-tp-8', 'issuer.example:password': 'CANARY-tp-9' } } }] }),
    });
    for (const r of [cmp, trust]) {
      expect(r.ok, r.ok ? '' : r.message).toBe(true);
      const all = r.ok ? JSON.stringify(r.output) + r.text : r.message;
      expect(all).not.toMatch(/CANARY/);
    }
  });

  it('progress messages leave through the redactor', async () => {
    const seen: string[] = [];
    const tool = { ...findTool('decode_token')!, handle: async (_i: unknown, ctx: { progress: (a: number, b?: number, m?: string) => void }) => {
      ctx.progress(1, 2, 'fetching https://user:CANARY-p-1@issuer.example/x?access_token=CANARY-p-2');
      throw new Error('stop');
    } };
    await runTool(tool as never, {}, { progress: (_a, _b, m) => void seen.push(m ?? '') });
    expect(seen.join()).toContain('[REDACTED:');
    expect(seen.join()).not.toMatch(/CANARY/);
  });
});

describe('nesting guards', () => {
  it('a 50,000-deep claim is a clear usage error, not a stack overflow', async () => {
    // Built by hand: jose cannot sign a claim this deep (its own copy overflows), a forger can.
    const b64 = (t: string) => Buffer.from(t).toString('base64url');
    const payload = '{"iss":"https://issuer.example","exp":4102444800,"deep":' + '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000) + '}';
    const tok = `${b64('{"alg":"RS256","kid":"k"}')}.${b64(payload)}.${b64('not-a-signature-but-long-enough')}`;
    // Over token_file's 256 KB limit, so it comes by environment variable (which has none).
    for (const tool of ['decode_token', 'compare_claims', 'check_token_time']) {
      const r = await runTool(findTool(tool)!, { token_env: 'DEEP_TOKEN', expected_issuer: 'https://issuer.example' }, { env: { DEEP_TOKEN: tok } });
      expect(r.ok, tool).toBe(false);
      if (!r.ok) {
        expect(r.kind).toBe('usage');
        expect(r.message).toMatch(/nested more than 64 levels deep/);
        expect(r.message).not.toMatch(/call stack/);
      }
    }
  });

  it('the redactor never overflows the stack', () => {
    let deep: unknown = 'CANARY-deep';
    for (let i = 0; i < 50_000; i++) deep = { a: deep };
    expect(() => new Redactor().redact({ deep })).not.toThrow();
    expect(JSON.stringify(new Redactor().redact({ deep }))).toContain('not shown: nested more than 200 levels deep');
  });

  it('a malformed URL-encoded trust policy is a clear usage error, not "URI malformed"', async () => {
    const tok = await mintToken({ claims: { iss: 'https://issuer.example', sub: 's', aud: 'sts.amazonaws.com' } });
    const f = join(dir, 'p.jwt');
    writeFileSync(f, tok);
    const r = await runTool(findTool('check_role_trust')!, { token_file: f, offline: true, role_arn: 'arn:aws:iam::123456789012:role/r', trust_policy: '%7B%22Version%22%3A%ZZ' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.kind).toBe('usage');
      expect(r.message).toMatch(/malformed escape/);
      expect(r.message).not.toMatch(/URI malformed/);
    }
  });
});
