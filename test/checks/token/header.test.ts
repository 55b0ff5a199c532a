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
  it('reports TOKEN_ALG_UNSUPPORTED for ES256 at the ALB and the bridge, passes RS256', async () => {
    const es = await headerOf({ key: await testKey('ec-1', 'ES256') });
    for (const consumer of ['alb', 'bridge'] as const) {
      const f = checkAlg(es.header, consumer);
      expect(f.status).toBe('fail');
      expect(f.detail).toMatch(/RS256 only/);
    }
    const rs = await headerOf({});
    expect(checkAlg(rs.header, 'alb').status).toBe('pass');
  });

  it('passes TOKEN_ALG_UNSUPPORTED at STS for the six documented algorithms, fails PS256 and EdDSA', async () => {
    // STS API reference, WebIdentityToken: RS256/384/512 or ES256/384/512.
    for (const alg of ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']) expect(checkAlg({ alg }, 'sts').status, alg).toBe('pass');
    for (const alg of ['PS256', 'EdDSA', 'HS256']) expect(checkAlg({ alg }, 'sts').status, alg).toBe('fail');
    const es = await headerOf({ key: await testKey('ec-1', 'ES256') });
    expect(checkAlg(es.header, 'sts').status).toBe('pass');
  });

  it('passes TOKEN_ALG_UNSUPPORTED for ES256 at a generic verifier, fails an unknown alg', async () => {
    const es = await headerOf({ key: await testKey('ec-1', 'ES256') });
    expect(checkAlg(es.header, 'generic').status).toBe('pass');
    expect(checkAlg({ alg: 'XS999' }, 'generic').status).toBe('fail');
  });
});

describe('checkKid', () => {
  it('reports TOKEN_KID_MISSING as fail for alb/bridge and warn for sts/generic, in the consumer\'s words', async () => {
    const t = await headerOf({ header: { kid: undefined } });
    expect(t.header.kid).toBeUndefined();
    expect(checkKid(t.header, 'bridge').status).toBe('fail');
    expect(checkKid(t.header, 'alb').status).toBe('fail');
    const sts = checkKid(t.header, 'sts');
    expect(sts.status).toBe('warn');
    expect(sts.detail).toMatch(/Couldn't retrieve verification key/);
    expect(sts.detail).toMatch(/assumption/);
    expect(checkKid(t.header).status).toBe('warn');
    expect(checkKid(t.header, 'generic').detail).not.toMatch(/ALB|STS/);
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
