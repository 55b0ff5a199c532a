import { describe, expect, it } from 'vitest';
import { checkAlg, checkForm, checkKid, headerUrls } from '../../../src/checks/token/header.js';
import { inspectToken } from '../../../src/checks/token/inspect.js';
import { mintToken, testKey } from '../../helpers/tokens.js';

async function headerOf(opts: Parameters<typeof mintToken>[0]) {
  const i = inspectToken(await mintToken(opts));
  if (!i.ok) throw new Error('mint failed');
  return i.token;
}

describe('checkForm', () => {
  it('reports TOKEN_UNSECURED for alg none', () => {
    const fs = checkForm('unsecured', { alg: 'none' });
    expect(fs.map((f) => [f.code, f.status])).toEqual([['TOKEN_UNSECURED', 'fail']]);
  });

  it('reports TOKEN_ENCRYPTED, failing only when the caller is strict', () => {
    expect(checkForm('JWE', { alg: 'RSA-OAEP', enc: 'A256GCM' })[0]?.status).toBe('warn');
    expect(checkForm('JWE', { alg: 'RSA-OAEP', enc: 'A256GCM' }, true)[0]?.status).toBe('fail');
  });

  it('says nothing about a JWS', () => {
    expect(checkForm('JWS', { alg: 'RS256' })).toEqual([]);
  });
});

describe('checkAlg', () => {
  it('reports TOKEN_ALG_UNSUPPORTED for ES256 at the ALB and STS, passes RS256', async () => {
    const es = await headerOf({ key: await testKey('ec-1', 'ES256') });
    for (const consumer of ['alb', 'sts'] as const) {
      const f = checkAlg(es.header, consumer);
      expect(f.status).toBe('fail');
      expect(f.detail).toMatch(/RS256 only/);
    }
    const rs = await headerOf({});
    expect(checkAlg(rs.header, 'alb').status).toBe('pass');
  });

  it('passes TOKEN_ALG_UNSUPPORTED for ES256 at a generic verifier, fails an unknown alg', async () => {
    const es = await headerOf({ key: await testKey('ec-1', 'ES256') });
    expect(checkAlg(es.header, 'generic').status).toBe('pass');
    expect(checkAlg({ alg: 'XS999' }, 'generic').status).toBe('fail');
  });
});

describe('checkKid', () => {
  it('reports TOKEN_KID_MISSING as fail for alb/sts and warn otherwise', async () => {
    const t = await headerOf({ header: { kid: undefined } });
    expect(t.header.kid).toBeUndefined();
    expect(checkKid(t.header, 'sts').status).toBe('fail');
    expect(checkKid(t.header, 'alb').status).toBe('fail');
    expect(checkKid(t.header).status).toBe('warn');
  });

  it('passes TOKEN_KID_MISSING when the header names a key', async () => {
    const t = await headerOf({});
    const f = checkKid(t.header, 'alb');
    expect(f.status).toBe('pass');
    expect(f.evidence.kid).toBe('test-key-1');
  });
});

describe('headerUrls', () => {
  it('lists jku and x5u without fetching them', async () => {
    const t = await headerOf({ header: { jku: 'https://attacker.invalid/jwks.json', x5u: 'https://attacker.invalid/cert.pem' } });
    expect(headerUrls(t.header)).toEqual([
      { member: 'jku', url: 'https://attacker.invalid/jwks.json' },
      { member: 'x5u', url: 'https://attacker.invalid/cert.pem' },
    ]);
    expect(headerUrls({ alg: 'RS256' })).toEqual([]);
  });
});
