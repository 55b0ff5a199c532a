import { describe, expect, it } from 'vitest';
import { fingerprint, redactPatterns, Redactor } from '../src/redact.js';
import { mintToken } from './helpers/tokens.js';

// Canaries: every kind of secret the issue names. None may survive redaction.
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION = 'IQoJb3JpZ2luX2VjEHAaCXVzLWVhc3QtMSJHMEUCIQDcanaryCANARYcanaryCANARYcanary';
const API_KEY = 'oc_' + 'Zm9vYmFyYmF6cXV4cXV1eHF1dXpmb29iYXJiYXpxdXg';
const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCANARY\n-----END PRIVATE KEY-----';
const SECURE = 'kms:alias/aws/ssm:SuperSecretCanary42';

describe('redactPatterns', () => {
  const cases: Array<[string, string, string]> = [
    ['an AWS access key id', `key=${AWS_KEY_ID} rest`, AWS_KEY_ID],
    ['an AWS secret key in config form', `aws_secret_access_key = ${AWS_SECRET}`, AWS_SECRET],
    ['a bare AWS secret key', `creds ${AWS_SECRET} end`, AWS_SECRET],
    ['a JSON SecretAccessKey', `{"SecretAccessKey":"${AWS_SECRET}"}`, AWS_SECRET],
    ['an AWS session token', `x ${SESSION} y`, SESSION],
    ['an oc_ API key', `X-Api-Key ${API_KEY}`, API_KEY],
    ['an Authorization header', 'Authorization: Basic dXNlcjpwYXNzd29yZGNhbmFyeQ==', 'dXNlcjpwYXNzd29yZGNhbmFyeQ=='],
    ['a Cookie header', 'Cookie: session=canarysessionvalue; other=1', 'canarysessionvalue'],
    ['a Set-Cookie header', 'set-cookie: sid=canarysid123456; HttpOnly', 'canarysid123456'],
    ['an X-API-Key header', 'x-api-key: someopaquecanaryvalue', 'someopaquecanaryvalue'],
    ['a JSON authorization field', '{"authorization":"Bearer opaque-canary-credential"}', 'opaque-canary-credential'],
    ['a Bearer credential in prose', 'sent Bearer opaquecanarytoken123 to the ALB', 'opaquecanarytoken123'],
    ['a PEM private key', `key:\n${PEM}\n`, 'CANARY'],
    ['an SSM SecureString echo', `value ${SECURE}`, 'SuperSecretCanary42'],
    ['a client secret', 'client_secret=canaryclientsecret99&x=1', 'canaryclientsecret99'],
  ];
  it.each(cases)('removes %s', (_what, input, secret) => {
    const out = redactPatterns(input);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED:');
  });

  it('removes a JWT (JWS and JWE shapes)', async () => {
    const jwt = await mintToken({ claims: { sub: 'canary' } });
    const jwe = 'eyJhbGciOiJSU0EtT0FFUCJ9.ZW5jcnlwdGVka2V5.aXY.Y2lwaGVydGV4dA.dGFn';
    const out = redactPatterns(`a ${jwt} b ${jwe} c`);
    expect(out).not.toContain(jwt.split('.')[2]!);
    expect(out).not.toContain('Y2lwaGVydGV4dA');
    expect(out).toContain(`[REDACTED:jwt ${fingerprint(jwt)}]`);
  });

  it('keeps what is not secret', () => {
    const text =
      'iss https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf kid test-key-1 token_use access key_prefix oc_AbC1234 ' +
      'role arn:aws:iam::123456789012:role/my-role sha256:0123456789ab';
    expect(redactPatterns(text)).toBe(text);
  });

  it('labels different secrets with different fingerprints', () => {
    const a = redactPatterns('Authorization: Bearer aaaaaaaaaaaaaaaa');
    const b = redactPatterns('Authorization: Bearer bbbbbbbbbbbbbbbb');
    expect(a).not.toBe(b);
  });
});

describe('Redactor', () => {
  it('replaces a registered token and each of its parts, wherever they appear', async () => {
    const jwt = await mintToken();
    const [, payload, sig] = jwt.split('.');
    const r = new Redactor().add(jwt, 'token');
    const out = r.redact({ a: `x${jwt}y`, b: [`sig=${sig}`], c: { d: payload } });
    const s = JSON.stringify(out);
    expect(s).not.toContain(sig!);
    expect(s).not.toContain(payload!);
    expect(s).toContain(fingerprint(jwt));
  });

  it('drops secret-named fields by type, whatever they hold', () => {
    const out = new Redactor().redact({
      ClientSecret: 'not-pattern-shaped',
      password: 'hunter2hunter2',
      nested: { session_token: 'x'.repeat(30), credentials: { AccessKeyId: 'ASIAXXXXXXXXXXXXXXXX' } },
      token_use: 'id',
      key_prefix: 'oc_AbC1234',
    });
    const s = JSON.stringify(out);
    expect(s).not.toContain('not-pattern-shaped');
    expect(s).not.toContain('hunter2');
    expect(s).not.toContain('xxxxxxxxxx');
    expect(s).not.toContain('ASIAXXXX');
    expect(out).toMatchObject({ token_use: 'id', key_prefix: 'oc_AbC1234' });
  });

  it('drops JWK private members and keeps the public ones', () => {
    const jwk = { kty: 'RSA', kid: 'k1', n: 'modulus', e: 'AQAB', d: 'PRIVATE-D', p: 'PRIVATE-P', q: 'PRIVATE-Q', dp: '1', dq: '2', qi: '3' };
    const out = new Redactor().redact({ keys: [jwk, { kty: 'oct', k: 'SYMMETRIC-SECRET' }] });
    expect(JSON.stringify(out)).not.toMatch(/PRIVATE|SYMMETRIC/);
    expect(out.keys[0]).toEqual({ kty: 'RSA', kid: 'k1', n: 'modulus', e: 'AQAB' });
  });

  it('turns errors into name and redacted message', async () => {
    const jwt = await mintToken();
    const out = new Redactor().redact({ err: new Error(`bad token ${jwt}`) }) as unknown as { err: { message: string } };
    expect(out.err.message).not.toContain(jwt);
    expect(out.err.message).toContain('[REDACTED:jwt');
  });

  it('ignores values too short to be secrets (no over-redaction of tiny strings)', () => {
    const r = new Redactor().add('abc', 'secret');
    expect(r.text('abcabc')).toBe('abcabc');
  });
});

describe('Redactor structure', () => {
  it('keeps a shared sub-object used twice (only a real cycle becomes [circular])', () => {
    const shared = ['a', 'b'];
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    const out = new Redactor().redact({ one: shared, two: shared, cyclic }) as Record<string, unknown>;
    expect(out.one).toEqual(['a', 'b']);
    expect(out.two).toEqual(['a', 'b']);
    expect((out.cyclic as Record<string, unknown>).self).toBe('[circular]');
  });
});

describe('prose and placeholders stay readable', () => {
  it.each([
    'Send X-API-Key: oc_… with the request.',
    'Authorization: Bearer <ID token> is matched by rule 5.',
    'http-header Authorization = Bearer* (rule 5)',
    'A Bearer header wins over an API key.',
    'Cookie: none',
  ])('%s', (text) => {
    expect(redactPatterns(text)).toBe(text);
  });
});

describe('match patterns described by a secret header name', () => {
  it('keeps the ALB conditions Bearer* and oc_* readable, and still redacts a credential the same header describes', () => {
    const r = new Redactor();
    const out = r.redact({ rules: [
      { field: 'http-header', header: 'Authorization', values: ['Bearer*'] },
      { field: 'http-header', header: 'X-API-Key', values: ['oc_*'] },
      { field: 'http-header', header: 'X-API-Key', values: ['oc_Zq9xSecretCanaryValue42abcdefghijklmnopqrstu'] },
    ] }) as { rules: Array<{ values: string[] }> };
    expect(out.rules[0]!.values).toEqual(['Bearer*']);
    expect(out.rules[1]!.values).toEqual(['oc_*']);
    expect(out.rules[2]!.values[0]).toMatch(/^\[REDACTED:x-api-key sha256:/);
  });
});
