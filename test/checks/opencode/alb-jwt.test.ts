import { describe, expect, it } from 'vitest';
import { ALB_ASSUMPTIONS, checkAlbClaimLimits, checkAlbJwtConfig, jwtConfigsOf, staleNote, unmatchableClaims } from '../../../src/checks/opencode/alb-jwt.js';
import { judgeTokenForAlb } from '../../../src/checks/opencode/alb-token.js';
import type { JwtValidationFact, RuleFact } from '../../../src/checks/opencode/facts.js';
import { readKeySet } from '../../../src/checks/jwks/keys.js';
import { inspectToken } from '../../../src/checks/token/inspect.js';
import { jwksOf, mintToken, NOW_DATE, testKey } from '../../helpers/tokens.js';

const ISS = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_NEW';
const SSM = { issuer: ISS, jwksUrl: `${ISS}/.well-known/jwks.json`, cliClientId: 'cli-new' };
const cfg = (over: Partial<JwtValidationFact> = {}, aud = 'cli-new'): JwtValidationFact => ({
  issuer: ISS, jwksEndpoint: SSM.jwksUrl, additionalClaims: [{ name: 'aud', format: 'single-string', values: [aud] }], ...over,
});
const rule = (priority: number, jwt?: JwtValidationFact): RuleFact => ({ priority, conditions: [], actions: [...(jwt ? [{ type: 'jwt-validation', order: 1, jwtValidation: jwt }] : []), { type: 'forward', order: 2 }] });
const FIX = 'npx cdk context --clear …';

describe('checkAlbJwtConfig', () => {
  it('passes ALB_JWT_CONFIG_MISMATCH when both rules match SSM', () => {
    const f = checkAlbJwtConfig(jwtConfigsOf([rule(3, cfg()), rule(5, cfg())], [3, 5]), SSM, FIX);
    expect(f.map((x) => x.status)).toEqual(['pass', 'pass']);
  });

  it('reports ALB_JWT_CONFIG_MISMATCH naming each stale field and how it differs', () => {
    const stale = cfg({ issuer: ISS.replace('NEW', 'OLD'), jwksEndpoint: SSM.jwksUrl + '/' }, 'cli-old');
    const [f3, f5] = checkAlbJwtConfig(jwtConfigsOf([rule(3, cfg()), rule(5, stale)], [3, 5]), SSM, FIX);
    expect(f3!.status).toBe('pass');
    expect(f5).toMatchObject({ code: 'ALB_JWT_CONFIG_MISMATCH', status: 'fail', fix: FIX });
    expect((f5!.evidence.differences as Array<{ field: string }>).map((d) => d.field)).toEqual(['Issuer', 'JwksEndpoint', 'aud']);
    expect(f5!.detail).toMatch(/ALB ends with "\/", SSM does not/);
    expect(f5!.detail).toMatch(/cdk\.context\.json/);
  });

  it('reports ALB_JWT_CONFIG_MISMATCH when rule 5 has no jwt-validation or is missing', () => {
    const f = checkAlbJwtConfig(jwtConfigsOf([rule(5)], [3, 5]), SSM, FIX);
    expect(f.map((x) => [x.status, x.evidence.rule_found])).toEqual([['fail', false], ['fail', true]]);
  });

  it('skips ALB_JWT_CONFIG_MISMATCH when SSM could not be read', () => {
    expect(checkAlbJwtConfig(jwtConfigsOf([rule(5, cfg())], [5]), {}, FIX)[0]!.status).toBe('skip');
  });

  it('staleNote says the ALB is stale only when the token agrees with SSM', () => {
    expect(staleNote('a', 'b', 'a')).toMatch(/stale/);
    expect(staleNote(['x', 'a'], 'b', 'a')).toMatch(/stale/);
    expect(staleNote('c', 'b', 'a')).toBeUndefined();
  });
});

describe('judgeTokenForAlb', () => {
  const judge = async (raw: string, config = cfg(), withKeys = true) => {
    const i = inspectToken(raw);
    if (!i.ok) throw new Error('bad token');
    const keys = withKeys ? (await readKeySet(jwksOf(await testKey()))).keys : undefined;
    return judgeTokenForAlb({ raw, token: i.token, now: NOW_DATE, config, ssm: SSM, keys });
  };
  const failed = (f: Awaited<ReturnType<typeof judge>>) => f.filter((x) => x.status === 'fail').map((x) => x.code);

  it('accepts a valid RS256 ID token', async () => {
    expect(failed(await judge(await mintToken({ claims: { iss: ISS, aud: 'cli-new', token_use: 'id' } })))).toEqual([]);
  });

  it('fails TOKEN_KID_MISSING for a token without kid: the ALB picks the key by kid', async () => {
    expect(failed(await judge(await mintToken({ header: { kid: undefined }, claims: { iss: ISS, aud: 'cli-new', token_use: 'id' } })))).toContain('TOKEN_KID_MISSING');
  });

  it('reports TOKEN_ISSUER_MISMATCH with a stale-ALB note when the token matches SSM', async () => {
    const f = await judge(await mintToken({ claims: { iss: ISS, aud: 'cli-new' } }), cfg({ issuer: ISS.replace('NEW', 'OLD') }));
    const iss = f.find((x) => x.code === 'TOKEN_ISSUER_MISMATCH')!;
    expect(iss.status).toBe('fail');
    expect(iss.detail).toMatch(/ALB holds a stale value/);
  });

  it('reports TOKEN_WRONG_TYPE and TOKEN_AUDIENCE_MISMATCH for a Cognito access token', async () => {
    const f = await judge(await mintToken({ claims: { iss: ISS, token_use: 'access', client_id: 'cli-new' } }));
    expect(failed(f)).toEqual(expect.arrayContaining(['TOKEN_WRONG_TYPE', 'TOKEN_AUDIENCE_MISMATCH']));
  });

  it('reports TOKEN_EXPIRED, and TOKEN_KID_MISSING when offline (no JWKS)', async () => {
    const f = await judge(await mintToken({ claims: { iss: ISS, aud: 'cli-new' }, exp: -3600, iat: -7200, header: { kid: undefined } }), cfg(), false);
    expect(failed(f)).toEqual(expect.arrayContaining(['TOKEN_EXPIRED', 'TOKEN_KID_MISSING']));
  });

  it('reports JWKS_KID_NOT_FOUND for a kid the JWKS does not serve', async () => {
    const other = await testKey('rotated-away');
    expect(failed(await judge(await mintToken({ key: other, claims: { iss: ISS, aud: 'cli-new' } })))).toEqual(['JWKS_KID_NOT_FOUND']);
  });
});

describe('checkAlbClaimLimits', () => {
  it('passes ALB_JWT_CLAIM_LIMIT for the stack\'s one aud value', () => {
    expect(checkAlbClaimLimits(jwtConfigsOf([rule(5, cfg())], [5]))).toMatchObject([{ code: 'ALB_JWT_CLAIM_LIMIT', status: 'pass' }]);
  });

  it('reports ALB_JWT_CLAIM_LIMIT for 11 values, a 257-character value, and a space inside a space-separated-values value', () => {
    const many = cfg({ additionalClaims: [{ name: 'aud', format: 'string-array', values: Array.from({ length: 11 }, (_, i) => `c${i}`) }] });
    const long = cfg({ additionalClaims: [{ name: 'aud', format: 'single-string', values: ['x'.repeat(257)] }] });
    const spaced = cfg({ additionalClaims: [{ name: 'scope', format: 'space-separated-values', values: ['read write'] }] });
    const fs = checkAlbClaimLimits(jwtConfigsOf([rule(3, many), rule(5, long), rule(7, spaced)], [3, 5, 7]));
    expect(fs.map((f) => f.status)).toEqual(['fail', 'fail', 'fail']);
    expect(fs[0]!.detail).toMatch(/11 values/);
    expect(fs[1]!.detail).toMatch(/over 256 characters/);
    expect(fs[2]!.detail).toMatch(/containing spaces/);
  });

  it('names a space-separated-values claim no token can match only when every listed value holds a space', () => {
    expect(unmatchableClaims(cfg({ additionalClaims: [{ name: 'scope', format: 'space-separated-values', values: ['read write'] }] }))).toEqual(['claim scope can never match (space-separated-values, every value holds a space)']);
    expect(unmatchableClaims(cfg({ additionalClaims: [{ name: 'scope', format: 'space-separated-values', values: ['read write', 'read'] }] }))).toEqual([]);
    expect(unmatchableClaims(cfg({ additionalClaims: [{ name: 'aud', format: 'single-string', values: ['a b'] }] }))).toEqual([]);
  });

  it('labels undocumented ALB behaviour as an assumption, e.g. the clock skew on an expired token', async () => {
    for (const text of Object.values(ALB_ASSUMPTIONS)) expect(text).toMatch(/^Assumption \(not documented by AWS\)/);
    const raw = await mintToken({ exp: -600, claims: { iss: ISS, aud: 'cli-new', token_use: 'id' } });
    const i = inspectToken(raw);
    if (!i.ok) throw new Error('bad token');
    const f = (await judgeTokenForAlb({ raw, token: i.token, now: NOW_DATE, config: cfg(), ssm: SSM })).find((x) => x.code === 'TOKEN_EXPIRED');
    expect(f?.status).toBe('fail');
    expect(f?.detail).toContain(ALB_ASSUMPTIONS.clockSkew);
  });
});
