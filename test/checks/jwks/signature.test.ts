import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { readKeySet } from '../../../src/checks/jwks/keys.js';
import { checkSignature, matchKid } from '../../../src/checks/jwks/signature.js';
import { jwksOf, mintToken, testKey } from '../../helpers/tokens.js';

async function keysOf(json: unknown) {
  return (await readKeySet(json)).keys;
}

describe('matchKid', () => {
  it('finds the key the token names (JWKS_KID_NOT_FOUND pass)', async () => {
    const key = await testKey('k1');
    const m = matchKid({ alg: 'RS256', kid: 'k1' }, await keysOf(jwksOf(key)));
    expect(m.finding).toMatchObject({ code: 'JWKS_KID_NOT_FOUND', status: 'pass' });
    expect(m.key?.kid).toBe('k1');
  });

  it('reports JWKS_KID_NOT_FOUND listing the served kids', async () => {
    const m = matchKid({ alg: 'RS256', kid: 'rotated-away' }, await keysOf(jwksOf(await testKey('k1'), await testKey('k2'))));
    expect(m.key).toBeUndefined();
    expect(m.finding).toMatchObject({ code: 'JWKS_KID_NOT_FOUND', status: 'fail', evidence: { kid: 'rotated-away', served_kids: ['k1', 'k2'] } });
  });

  it('reports TOKEN_KID_MISSING when the header has no kid', async () => {
    const m = matchKid({ alg: 'RS256' }, await keysOf(jwksOf(await testKey('k1'))));
    expect(m.finding).toMatchObject({ code: 'TOKEN_KID_MISSING', status: 'fail' });
  });
});

describe('checkSignature', () => {
  it('passes SIGNATURE_INVALID when the signature verifies, even for an expired token', async () => {
    const key = await testKey('k1');
    const raw = await mintToken({ key, iat: -7200, exp: -3600 });
    const [k] = await keysOf(jwksOf(key));
    expect(await checkSignature(raw, decodeProtectedHeader(raw), k)).toMatchObject({ code: 'SIGNATURE_INVALID', status: 'pass' });
  });

  it('reports SIGNATURE_INVALID when another key signed under the same kid', async () => {
    const signer = await testKey('other-key');
    const published = await testKey('k1');
    const raw = await mintToken({ key: signer, header: { kid: 'k1' } });
    const [k] = await keysOf(jwksOf(published));
    const f = await checkSignature(raw, decodeProtectedHeader(raw), k);
    expect(f).toMatchObject({ code: 'SIGNATURE_INVALID', status: 'fail', evidence: { jose_code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', kid: 'k1' } });
  });

  it('reports SIGNATURE_INVALID when the token was altered', async () => {
    const key = await testKey('k1');
    const raw = await mintToken({ key, claims: { sub: 'alice' } });
    const [h, , s] = raw.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`;
    const [k] = await keysOf(jwksOf(key));
    expect((await checkSignature(forged, decodeProtectedHeader(forged), k)).status).toBe('fail');
  });

  it('reports SIGNATURE_INVALID when the key declares another alg than the token', async () => {
    const key = await testKey('k1');
    const raw = await mintToken({ key, header: { alg: 'RS256' } });
    const [k] = await keysOf({ keys: [{ ...key.jwk, alg: 'RS512' }] });
    const f = await checkSignature(raw, decodeProtectedHeader(raw), k);
    expect(f).toMatchObject({ code: 'SIGNATURE_INVALID', status: 'fail' });
    expect(f.title).toContain('RS512');
  });

  it('reports SIGNATURE_INVALID when the kid names a key of the wrong type', async () => {
    const ec = await testKey('k1', 'ES256');
    const rsa = await testKey('k1-rsa');
    const raw = await mintToken({ key: rsa, header: { kid: 'k1' } });
    const { alg: _alg, ...ecNoAlg } = ec.jwk;
    const [k] = await keysOf({ keys: [ecNoAlg] });
    const f = await checkSignature(raw, decodeProtectedHeader(raw), k);
    expect(f).toMatchObject({ code: 'SIGNATURE_INVALID', status: 'fail' });
    expect(f.title).toContain('needs an RSA key');
  });

  it('reports SIGNATURE_INVALID when the key is for encryption (use enc)', async () => {
    const key = await testKey('k1');
    const raw = await mintToken({ key });
    const [k] = await keysOf({ keys: [{ ...key.jwk, use: 'enc' }] });
    expect((await checkSignature(raw, decodeProtectedHeader(raw), k)).status).toBe('fail');
  });

  it('reports SIGNATURE_INVALID when the kid names an RSA key under 2048 bits', async () => {
    // jose cannot generate a short key, so the fixture comes from node:crypto.
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const raw = await mintToken({ key: await testKey('k1') });
    const [k] = await keysOf({ keys: [{ ...weak, kid: 'k1', alg: 'RS256', use: 'sig' }] });
    expect(k?.size_bits).toBe(1024);
    const f = await checkSignature(raw, decodeProtectedHeader(raw), k);
    expect(f).toMatchObject({ code: 'SIGNATURE_INVALID', status: 'fail' });
    expect(f.detail).toContain('2048');
  });

  it('skips SIGNATURE_INVALID when no key was selected', async () => {
    expect((await checkSignature('a.b.c', { alg: 'RS256' }, undefined)).status).toBe('skip');
  });
});
