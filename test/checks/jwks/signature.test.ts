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

  it('reports TOKEN_KID_MISSING as fail for the ALB and the bridge, warn for STS and generic', async () => {
    const keys = await keysOf(jwksOf(await testKey('k1')));
    expect(matchKid({ alg: 'RS256' }, keys, 'the JWKS', 'alb').finding).toMatchObject({ code: 'TOKEN_KID_MISSING', status: 'fail' });
    expect(matchKid({ alg: 'RS256' }, keys, 'the JWKS', 'bridge').finding).toMatchObject({ code: 'TOKEN_KID_MISSING', status: 'fail' });
    const sts = matchKid({ alg: 'RS256' }, keys, 'the JWKS', 'sts').finding;
    expect(sts).toMatchObject({ code: 'TOKEN_KID_MISSING', status: 'warn' });
    expect(sts.detail).toMatch(/STS can still match/);
    const generic = matchKid({ alg: 'RS256' }, keys).finding;
    expect(generic.status).toBe('warn');
    expect(generic.detail).not.toMatch(/ALB and STS pick/);
  });

  it('picks the single key that fits the alg when the token has no kid, and none when two fit', async () => {
    const rsa = await testKey('r1');
    const ec = await testKey('e1', 'ES256');
    expect(matchKid({ alg: 'ES256' }, await keysOf(jwksOf(rsa, ec)), 'the JWKS', 'sts').key?.kid).toBe('e1');
    const two = matchKid({ alg: 'RS256' }, await keysOf(jwksOf(rsa, await testKey('r2'))), 'the JWKS', 'sts');
    expect(two.key).toBeUndefined();
    expect(two.finding.detail).toMatch(/2 keys .* fit RS256/);
    // STS cannot choose among two fitting keys (assumption, said in the detail): fail, not warn.
    expect(two.finding).toMatchObject({ code: 'TOKEN_KID_MISSING', status: 'fail' });
    expect(matchKid({ alg: 'RS256' }, await keysOf(jwksOf(rsa, await testKey('r2'))), 'the JWKS', 'generic').finding.status).toBe('warn');
  });
});

// RFC 7515 Appendix A.2 (RS256) and A.3 (ES256): the published example JWSs, which carry no
// kid, with their public keys — copied from the RFC text. The payload is the RFC's
// {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}.
const RFC_PAYLOAD = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
const RFC_A2 = {
  token: `eyJhbGciOiJSUzI1NiJ9.${RFC_PAYLOAD}.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw`,
  jwk: {
    kty: 'RSA',
    e: 'AQAB',
    n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
  },
};
const RFC_A3 = {
  token: `eyJhbGciOiJFUzI1NiJ9.${RFC_PAYLOAD}.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q`,
  jwk: { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' },
};
/** The same token with one signature character changed. */
const altered = (t: string) => {
  const i = t.lastIndexOf('.') + 5;
  return t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
};

describe('RFC 7515 vectors without kid', () => {
  for (const [name, v] of [['A.2 (RS256)', RFC_A2], ['A.3 (ES256)', RFC_A3]] as const) {
    it(`verifies the genuine ${name} token with the single fitting key (SIGNATURE_INVALID pass)`, async () => {
      const keys = await keysOf({ keys: [v.jwk] });
      const header = decodeProtectedHeader(v.token);
      expect(header.kid).toBeUndefined();
      const m = matchKid(header, keys, 'the JWKS', 'sts');
      expect(m.finding).toMatchObject({ code: 'TOKEN_KID_MISSING', status: 'warn' });
      expect(await checkSignature(v.token, header, m.key)).toMatchObject({ code: 'SIGNATURE_INVALID', status: 'pass' });
    });

    it(`reports SIGNATURE_INVALID for the ${name} token with an altered signature`, async () => {
      const keys = await keysOf({ keys: [v.jwk] });
      const bad = altered(v.token);
      const header = decodeProtectedHeader(bad);
      const m = matchKid(header, keys, 'the JWKS', 'generic');
      expect(await checkSignature(bad, header, m.key)).toMatchObject({ code: 'SIGNATURE_INVALID', status: 'fail' });
    });
  }

  it('still fails TOKEN_KID_MISSING for the bridge even when the signature verifies', async () => {
    const keys = await keysOf({ keys: [RFC_A2.jwk] });
    const m = matchKid(decodeProtectedHeader(RFC_A2.token), keys, 'the JWKS', 'bridge');
    expect(m.finding.status).toBe('fail');
    expect((await checkSignature(RFC_A2.token, decodeProtectedHeader(RFC_A2.token), m.key)).status).toBe('pass');
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
