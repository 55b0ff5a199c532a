/**
 * Keys and tokens minted inside the tests with jose (nothing committed).
 */
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Public JWK with kid, alg, use. */
  jwk: JWK;
  /** Private JWK (for JWKS_PRIVATE_KEY_EXPOSED worlds). */
  privateJwk: JWK;
}

const keyCache = new Map<string, Promise<TestKey>>();

export function testKey(kid = 'test-key-1', alg = 'RS256'): Promise<TestKey> {
  const id = `${kid}/${alg}`;
  let p = keyCache.get(id);
  if (!p) {
    p = (async () => {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
      return { kid, alg, privateKey, publicKey, jwk, privateJwk };
    })();
    keyCache.set(id, p);
  }
  return p;
}

export const NOW = 1_790_000_000; // 2026-09-21T… — a frozen clock for the tests (epoch seconds)
export const NOW_DATE = new Date(NOW * 1000);

export interface MintOptions {
  key?: TestKey;
  /** Header overrides (kid, typ, alg…); `kid: undefined` removes the kid. */
  header?: Record<string, unknown>;
  claims?: JWTPayload & Record<string, unknown>;
  /** Seconds relative to NOW; `null` omits the claim. Defaults: iat 0, exp +3600. */
  iat?: number | null;
  exp?: number | null;
  nbf?: number | null;
}

export async function mintToken(opts: MintOptions = {}): Promise<string> {
  const key = opts.key ?? (await testKey());
  const payload: Record<string, unknown> = { ...opts.claims };
  const iat = opts.iat === undefined ? 0 : opts.iat;
  const exp = opts.exp === undefined ? 3600 : opts.exp;
  if (iat !== null) payload.iat = NOW + iat;
  if (exp !== null) payload.exp = NOW + exp;
  if (opts.nbf !== undefined && opts.nbf !== null) payload.nbf = NOW + opts.nbf;
  const header: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'JWT', ...opts.header };
  for (const [k, v] of Object.entries(header)) if (v === undefined) delete header[k];
  return new SignJWT(payload as JWTPayload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

/** A JWKS document of the given keys' public JWKs. */
export function jwksOf(...keys: TestKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => k.jwk) };
}
