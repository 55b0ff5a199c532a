import { describe, expect, it } from 'vitest';
import { CONSUMER_ALGS } from '../../../src/checks/token/header.js';
import { inspectToken, type TokenFacts } from '../../../src/checks/token/inspect.js';
import { lengthOutcome, predictStsOutcome, type StsWorld } from '../../../src/checks/web-identity/outcome.js';
import { mintToken, NOW, NOW_DATE, testKey } from '../../helpers/tokens.js';

const ISS = 'https://oidc.example.com/cluster';
async function facts(opts: Parameters<typeof mintToken>[0] = {}): Promise<TokenFacts> {
  const i = inspectToken(await mintToken({ ...opts, claims: { iss: ISS, sub: 'system:serviceaccount:a:b', aud: 'sts.amazonaws.com', ...opts.claims } }));
  if (!i.ok) throw new Error('mint failed');
  return i.token;
}
const provider = { match: { arn: 'arn:aws:iam::123456789012:oidc-provider/oidc.example.com/cluster', url: 'oidc.example.com/cluster', clientIds: ['sts.amazonaws.com'], thumbprints: [] }, count: 1 };
const world = (token: TokenFacts, w: Partial<StsWorld> = {}): StsWorld => ({ token, now: NOW_DATE, provider, keys: { reachability: 'reachable', kidServed: true, signature: 'valid' }, trust: { decision: 'allow', role: 'r' }, acceptedAlgs: CONSUMER_ALGS.sts, ...w });

describe('predictStsOutcome', () => {
  it('predicts success for an ES256 token (STS accepts ES256/384/512): no false root cause', async () => {
    const o = predictStsOutcome(world(await facts({ key: await testKey('ec-1', 'ES256') })));
    expect(o).toMatchObject({ result: 'success', stage: 'done' });
  });

  it('reports a missing aud before the provider lookup (observed STS order)', async () => {
    const t = await facts({ claims: { aud: undefined } });
    delete t.claims.aud;
    const o = predictStsOutcome(world(t, { provider: { count: 0 } }));
    expect(o).toMatchObject({ stage: 'token', message: 'InvalidIdentityToken: Missing a required claim: aud' });
  });

  it('reports a non-https iss before the provider lookup, with exact false', async () => {
    const o = predictStsOutcome(world(await facts({ claims: { iss: 'http://oidc.example.com/cluster' } }), { provider: { count: 0 } }));
    expect(o).toMatchObject({ stage: 'token', error_code: 'InvalidIdentityToken', exact: false });
  });

  it('answers ValidationError for a token over 20,000 characters, before the provider lookup', async () => {
    const o = predictStsOutcome(world(await facts(), { tokenLength: 20001, provider: { count: 0 } }));
    expect(o).toMatchObject({ stage: 'token', error_code: 'ValidationError', exact: false });
    expect(o.message).toContain('Member must have length less than or equal to 20000');
    expect(lengthOutcome(3)?.message).toContain('greater than or equal to 4');
    expect(lengthOutcome(4)).toBeUndefined();
  });

  it('keeps going inside the 5-minute skew window and fails beyond it', async () => {
    expect(predictStsOutcome(world(await facts({ exp: -60 })))).toMatchObject({ result: 'success' });
    expect(predictStsOutcome(world(await facts({ exp: -60 }))).assumptions.join(' ')).toMatch(/skew window/);
    const late = predictStsOutcome(world(await facts({ exp: -301 })));
    expect(late.message).toBe(`ExpiredTokenException: Token expired: current date/time ${NOW} must be before the expiration date/time ${NOW - 301}`);
  });

  it('accepts a token without kid verified with the single fitting key, as an assumption', async () => {
    const o = predictStsOutcome(world(await facts({ header: { kid: undefined } }), { keys: { reachability: 'reachable', kidServed: true, signature: 'valid', pickedWithoutKid: true } }));
    expect(o.result).toBe('success');
    expect(o.assumptions.join(' ')).toMatch(/without kid/);
    const none = predictStsOutcome(world(await facts({ header: { kid: undefined } }), { keys: { reachability: 'reachable', kidServed: false, signature: 'unchecked' } }));
    expect(none).toMatchObject({ stage: 'keys', exact: false });
    expect(none.message).toContain("Couldn't retrieve verification key");
  });
});
