import { describe, expect, it } from 'vitest';
import { inspectToken, type TokenFacts } from '../../../src/checks/token/inspect.js';
import { checkStsToken } from '../../../src/checks/web-identity/token.js';
import { mintToken, NOW_DATE, testKey } from '../../helpers/tokens.js';

const ISS = 'https://bridge.tail1234.ts.net';
const SUB = 'system:serviceaccount:apps:uploader';

async function facts(opts: Parameters<typeof mintToken>[0] = {}): Promise<TokenFacts> {
  const raw = await mintToken({ ...opts, claims: { iss: ISS, sub: SUB, aud: ['sts.amazonaws.com'], ...opts.claims } });
  const i = inspectToken(raw);
  if (!i.ok) throw new Error('mint failed');
  return i.token;
}
const statusOf = (fs: ReturnType<typeof checkStsToken>, code: string) => fs.filter((f) => f.code === code).map((f) => f.status);
const expect0 = { issuer: ISS, audience: 'sts.amazonaws.com', subject: SUB };

describe('checkStsToken', () => {
  it('passes a good service-account token', async () => {
    const fs = checkStsToken(await facts(), expect0, NOW_DATE);
    expect(fs.filter((f) => f.status === 'fail')).toEqual([]);
  });

  it('reports TOKEN_ISSUER_MISMATCH naming the trailing slash', async () => {
    const fs = checkStsToken(await facts({ claims: { iss: `${ISS}/` } }), expect0, NOW_DATE);
    const f = fs.find((x) => x.code === 'TOKEN_ISSUER_MISMATCH')!;
    expect(f.status).toBe('fail');
    expect(f.detail).toContain('"/"');
  });

  it('reports TOKEN_ISSUER_MISMATCH for a non-https iss even without an expected issuer', async () => {
    const fs = checkStsToken(await facts({ claims: { iss: 'http://bridge.tail1234.ts.net' } }), { audience: 'sts.amazonaws.com' }, NOW_DATE);
    expect(statusOf(fs, 'TOKEN_ISSUER_MISMATCH')).toEqual(['fail']);
  });

  it('reports TOKEN_AUDIENCE_MISMATCH and calls out sts.amazon.com', async () => {
    const fs = checkStsToken(await facts({ claims: { aud: 'sts.amazon.com' } }), expect0, NOW_DATE);
    const f = fs.find((x) => x.code === 'TOKEN_AUDIENCE_MISMATCH')!;
    expect(f.status).toBe('fail');
    expect(f.detail).toContain('sts.amazon.com" is a common typo');
  });

  it('reports TOKEN_AUDIENCE_MISMATCH for a missing aud as "Missing a required claim: aud"', async () => {
    const raw = await mintToken({ claims: { iss: ISS, sub: SUB } });
    const i = inspectToken(raw);
    const fs = checkStsToken((i as { token: TokenFacts }).token, expect0, NOW_DATE);
    expect(fs.find((x) => x.code === 'TOKEN_AUDIENCE_MISMATCH')?.detail).toContain('Missing a required claim: aud');
  });

  it('reports TOKEN_SUBJECT_MISMATCH for another service account', async () => {
    const fs = checkStsToken(await facts({ claims: { sub: 'system:serviceaccount:apps:default' } }), expect0, NOW_DATE);
    expect(statusOf(fs, 'TOKEN_SUBJECT_MISMATCH')).toEqual(['fail']);
  });

  it('warns TOKEN_EXPIRED inside STS\'s documented 5-minute skew window and fails beyond it', async () => {
    expect(statusOf(checkStsToken(await facts({ exp: -1 }), expect0, NOW_DATE), 'TOKEN_EXPIRED')).toEqual(['warn']);
    expect(statusOf(checkStsToken(await facts({ exp: -299 }), expect0, NOW_DATE), 'TOKEN_EXPIRED')).toEqual(['warn']);
    expect(statusOf(checkStsToken(await facts({ exp: -301 }), expect0, NOW_DATE), 'TOKEN_EXPIRED')).toEqual(['fail']);
  });

  it('warns TOKEN_KID_MISSING (STS may still match a key) and passes ES256; fails PS256', async () => {
    const noKid = checkStsToken(await facts({ header: { kid: undefined } }), expect0, NOW_DATE);
    expect(statusOf(noKid, 'TOKEN_KID_MISSING')).toEqual(['warn']);
    const es = checkStsToken(await facts({ key: await testKey('ec-1', 'ES256') }), expect0, NOW_DATE);
    expect(statusOf(es, 'TOKEN_ALG_UNSUPPORTED')).toEqual(['pass']);
    expect(es.filter((f) => f.status === 'fail')).toEqual([]);
    const ps = checkStsToken(await facts({ key: await testKey('ps-1', 'PS256') }), expect0, NOW_DATE);
    expect(statusOf(ps, 'TOKEN_ALG_UNSUPPORTED')).toEqual(['fail']);
  });

  it('reports TOKEN_LENGTH_INVALID outside 4..20,000 characters', async () => {
    const t = await facts();
    expect(statusOf(checkStsToken(t, { ...expect0, tokenLength: 20001 }, NOW_DATE), 'TOKEN_LENGTH_INVALID')).toEqual(['fail']);
    expect(statusOf(checkStsToken(t, { ...expect0, tokenLength: 3 }, NOW_DATE), 'TOKEN_LENGTH_INVALID')).toEqual(['fail']);
    expect(statusOf(checkStsToken(t, { ...expect0, tokenLength: 20000 }, NOW_DATE), 'TOKEN_LENGTH_INVALID')).toEqual(['pass']);
  });
});
