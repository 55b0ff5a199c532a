import { describe, expect, it } from 'vitest';
import { readKeySet } from '../../../src/checks/jwks/keys.js';
import { jwksOf, testKey } from '../../helpers/tokens.js';

const statusOf = (fs: { code: string; status: string }[], code: string) => fs.find((f) => f.code === code)?.status;

describe('readKeySet', () => {
  it('lists public facts of RSA, EC and OKP keys with thumbprints and sizes', async () => {
    const [rsa, ec, ed] = await Promise.all([testKey('rsa-1', 'RS256'), testKey('ec-1', 'ES384'), testKey('ed-1', 'EdDSA')]);
    const set = await readKeySet(jwksOf(rsa, ec, ed));
    expect(set.keys.map((k) => [k.kid, k.kty, k.alg, k.size_bits, k.usable])).toEqual([
      ['rsa-1', 'RSA', 'RS256', 2048, true],
      ['ec-1', 'EC', 'ES384', 384, true],
      ['ed-1', 'OKP', 'EdDSA', 255, true],
    ]);
    expect(new Set(set.keys.map((k) => k.thumbprint)).size).toBe(3);
    expect(statusOf(set.findings, 'JWKS_INVALID')).toBe('pass');
    expect(statusOf(set.findings, 'JWKS_PRIVATE_KEY_EXPOSED')).toBe('pass');
  });

  it('imports a key without alg by its type (RSA → RS256)', async () => {
    const { alg: _alg, ...jwk } = (await testKey('rsa-1')).jwk;
    const set = await readKeySet({ keys: [jwk] });
    expect(set.keys[0]?.usable).toBe(true);
  });

  it.each([
    ['an array', []],
    ['an object without keys', { issuer: 'x' }],
    ['keys that is not an array', { keys: {} }],
    ['null', null],
  ])('reports JWKS_INVALID when the document is %s', async (_what, json) => {
    const set = await readKeySet(json);
    expect(set.keys).toEqual([]);
    expect(set.findings).toMatchObject([{ code: 'JWKS_INVALID', status: 'fail' }]);
  });

  it('reports JWKS_INVALID for an empty key list', async () => {
    expect(statusOf((await readKeySet({ keys: [] })).findings, 'JWKS_INVALID')).toBe('fail');
  });

  it('reports JWKS_INVALID for a key without kty, naming it', async () => {
    const { kty: _kty, ...jwk } = (await testKey('rsa-1')).jwk;
    const f = (await readKeySet({ keys: [jwk] })).findings.find((x) => x.code === 'JWKS_INVALID');
    expect(f?.status).toBe('fail');
    expect(f?.detail).toContain('no "kty"');
  });

  it('reports JWKS_INVALID for a key whose public members are broken', async () => {
    const { e: _e, ...jwk } = (await testKey('rsa-1')).jwk;
    const set = await readKeySet({ keys: [jwk] });
    expect(set.keys[0]?.usable).toBe(false);
    expect(statusOf(set.findings, 'JWKS_INVALID')).toBe('fail');
  });

  it('reports JWKS_INVALID for duplicate kids', async () => {
    const [a, b] = await Promise.all([testKey('dup', 'RS256'), testKey('dup', 'ES256')]);
    const f = (await readKeySet(jwksOf(a, b))).findings.find((x) => x.code === 'JWKS_INVALID');
    expect(f?.status).toBe('fail');
    expect(f?.evidence.duplicate_kids).toEqual(['dup']);
  });

  it('reports JWKS_PRIVATE_KEY_EXPOSED naming the members, never their values', async () => {
    const key = await testKey('leaky-1');
    const set = await readKeySet({ keys: [key.privateJwk] });
    const f = set.findings.find((x) => x.code === 'JWKS_PRIVATE_KEY_EXPOSED');
    expect(f?.status).toBe('fail');
    expect(f?.evidence.exposed).toEqual([{ index: 0, kid: 'leaky-1', members: ['d', 'p', 'q', 'dp', 'dq', 'qi'] }]);
    const text = JSON.stringify(set);
    expect(text).not.toContain(String(key.privateJwk.d));
    expect(set.keys[0]?.jwk).not.toHaveProperty('d');
    // The public half is still usable for listing.
    expect(set.keys[0]?.thumbprint).toBe((await readKeySet(jwksOf(key))).keys[0]?.thumbprint);
  });

  it('reports JWKS_PRIVATE_KEY_EXPOSED for a symmetric key (k)', async () => {
    const set = await readKeySet({ keys: [{ kty: 'oct', kid: 'hmac', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' }] });
    expect(statusOf(set.findings, 'JWKS_PRIVATE_KEY_EXPOSED')).toBe('fail');
    expect(JSON.stringify(set)).not.toContain('c2VjcmV0');
  });
});
