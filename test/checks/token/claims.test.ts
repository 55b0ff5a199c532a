import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { compareClaims } from '../../../src/checks/token/claims.js';
import { mintToken } from '../../helpers/tokens.js';

const ISS = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123';
const claimsOf = async (claims: Record<string, unknown>) => decodeJwt(await mintToken({ claims })) as Record<string, unknown>;
const only = (fs: ReturnType<typeof compareClaims>) => {
  expect(fs).toHaveLength(1);
  return fs[0]!;
};
const diffOf = (f: { evidence: Record<string, unknown> }) => f.evidence.difference as { kind: string; text: string };

describe('compareClaims: iss', () => {
  it('passes TOKEN_ISSUER_MISMATCH on an exact match', async () => {
    expect(only(compareClaims(await claimsOf({ iss: ISS }), { iss: ISS })).status).toBe('pass');
  });

  it('reports TOKEN_ISSUER_MISMATCH for a trailing slash and says so', async () => {
    const f = only(compareClaims(await claimsOf({ iss: ISS + '/' }), { iss: ISS }));
    expect(f.status).toBe('fail');
    expect(diffOf(f).kind).toBe('trailing_slash');
    expect(f.title).toMatch(/trailing slash/);
    expect(f.detail).toMatch(/actual ends with "\/"/);
  });

  it('reports TOKEN_ISSUER_MISMATCH for http vs https', async () => {
    const f = only(compareClaims(await claimsOf({ iss: ISS.replace('https', 'http') }), { iss: ISS }));
    expect(diffOf(f).kind).toBe('scheme');
  });

  it('reports TOKEN_ISSUER_MISMATCH when iss is absent', async () => {
    const f = only(compareClaims(await claimsOf({}), { iss: ISS }));
    expect(f.status).toBe('fail');
    expect(diffOf(f).kind).toBe('missing');
  });
});

describe('compareClaims: aud', () => {
  it('reports TOKEN_AUDIENCE_MISMATCH for the sts.amazon.com near miss', async () => {
    const f = only(compareClaims(await claimsOf({ aud: 'sts.amazon.com' }), { aud: 'sts.amazonaws.com' }));
    expect(f.status).toBe('fail');
    expect(diffOf(f).kind).toBe('near_miss');
    expect(f.detail).toMatch(/"aws"/);
  });

  it('passes TOKEN_AUDIENCE_MISMATCH when an aud array contains the audience', async () => {
    expect(only(compareClaims(await claimsOf({ aud: ['other', 'sts.amazonaws.com'] }), { aud: 'sts.amazonaws.com' })).status).toBe('pass');
  });

  it('reports TOKEN_AUDIENCE_MISMATCH for an array where the ALB single-string format needs a string', async () => {
    const f = only(compareClaims(await claimsOf({ aud: ['cli-id'] }), { aud: 'cli-id', audFormat: 'single-string' }));
    expect(f.status).toBe('fail');
    expect(diffOf(f).kind).toBe('array_vs_string');
    expect(only(compareClaims(await claimsOf({ aud: 'cli-id' }), { aud: 'cli-id', audFormat: 'single-string' })).status).toBe('pass');
  });

  it('matches one of space-separated values', async () => {
    expect(only(compareClaims(await claimsOf({ aud: 'a cli-id b' }), { aud: 'cli-id', audFormat: 'space-separated-values' })).status).toBe('pass');
  });

  it('reports TOKEN_AUDIENCE_MISMATCH for a Cognito access token without aud, pointing to the id_token', async () => {
    const f = only(compareClaims(await claimsOf({ token_use: 'access', client_id: 'cli-id' }), { aud: 'cli-id' }));
    expect(f.status).toBe('fail');
    expect(diffOf(f).kind).toBe('missing');
    expect(f.detail).toMatch(/Cognito access token/);
    expect(f.fix).toMatch(/opencode-auth login/);
  });

  it('picks the most telling difference among several audiences', async () => {
    const f = only(compareClaims(await claimsOf({ aud: ['zzzzzz', 'sts.amazonaws.com '] }), { aud: 'sts.amazonaws.com' }));
    expect(diffOf(f).kind).toBe('whitespace');
  });
});

describe('compareClaims: sub and named claims', () => {
  it('reports TOKEN_SUBJECT_MISMATCH naming the namespace that differs', async () => {
    const f = only(compareClaims(await claimsOf({ sub: 'system:serviceaccount:default:uploader' }), { sub: 'system:serviceaccount:apps:uploader' }));
    expect(f.status).toBe('fail');
    expect(f.detail).toMatch(/namespace "default" vs "apps"/);
    expect(f.detail).not.toMatch(/service account "/);
  });

  it('passes TOKEN_CLAIM_MISMATCH on equal values, including a value inside an array claim', async () => {
    const fs = compareClaims(await claimsOf({ token_use: 'id', groups: ['dev', 'admin'], n: 3 }), { claims: { token_use: 'id', groups: 'admin', n: 3 } });
    expect(fs.map((f) => [f.code, f.status])).toEqual([['TOKEN_CLAIM_MISMATCH', 'pass'], ['TOKEN_CLAIM_MISMATCH', 'pass'], ['TOKEN_CLAIM_MISMATCH', 'pass']]);
  });

  it('reports TOKEN_CLAIM_MISMATCH saying how strings differ, and type differences', async () => {
    const [a, b] = compareClaims(await claimsOf({ token_use: 'ID', n: '3' }), { claims: { token_use: 'id', n: 3 } });
    expect(a?.status).toBe('fail');
    expect(diffOf(a!).kind).toBe('case');
    expect(diffOf(b!).kind).toBe('type');
    expect(diffOf(b!).text).toBe('the token has a string, expected a number');
  });

  it('reports TOKEN_CLAIM_MISSING for an absent claim', async () => {
    const f = only(compareClaims(await claimsOf({}), { claims: { 'custom:team': 'platform' } }));
    expect(f.code).toBe('TOKEN_CLAIM_MISSING');
    expect(f.status).toBe('fail');
  });
});
