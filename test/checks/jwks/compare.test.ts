import { describe, expect, it } from 'vitest';
import { compareKeySets, tokenKidInSides, type KeySide } from '../../../src/checks/jwks/compare.js';
import { readKeySet } from '../../../src/checks/jwks/keys.js';
import { jwksOf, testKey } from '../../helpers/tokens.js';

async function side(label: string, cluster: boolean, json: unknown): Promise<KeySide> {
  return { label, cluster, keys: (await readKeySet(json)).keys };
}
const statusOf = (fs: { code: string; status: string }[], code: string) => fs.find((f) => f.code === code)?.status;

describe('compareKeySets', () => {
  it('passes JWKS_SETS_DIFFER for identical sets', async () => {
    const json = jwksOf(await testKey('k1'), await testKey('k2'));
    const c = compareKeySets(await side('A', false, json), await side('B', false, json));
    expect(c).toMatchObject({ only_in_a: [], only_in_b: [], in_both: [{ kid: 'k1', same_key: true }, { kid: 'k2', same_key: true }] });
    expect(statusOf(c.findings, 'JWKS_SETS_DIFFER')).toBe('pass');
    expect(statusOf(c.findings, 'JWKS_PUBLIC_CLUSTER_DRIFT')).toBeUndefined();
  });

  it('warns JWKS_SETS_DIFFER with kids only in A and only in B', async () => {
    const [k1, k2, k3] = await Promise.all([testKey('k1'), testKey('k2'), testKey('k3')]);
    const c = compareKeySets(await side('A', false, jwksOf(k1, k2)), await side('B', false, jwksOf(k2, k3)));
    expect(c.only_in_a).toEqual(['k1']);
    expect(c.only_in_b).toEqual(['k3']);
    const f = c.findings.find((x) => x.code === 'JWKS_SETS_DIFFER');
    expect(f?.status).toBe('warn');
    expect(f?.detail).toContain('only in A: k1');
  });

  it('reports JWKS_SETS_DIFFER (fail) when the same kid holds different key material', async () => {
    const real = await testKey('k1');
    const stale = await testKey('k1-stale');
    const c = compareKeySets(await side('A', false, jwksOf(real)), await side('B', false, { keys: [{ ...stale.jwk, kid: 'k1' }] }));
    expect(c.in_both).toEqual([{ kid: 'k1', same_key: false }]);
    expect(statusOf(c.findings, 'JWKS_SETS_DIFFER')).toBe('fail');
  });

  it('reports JWKS_PUBLIC_CLUSTER_DRIFT when the cluster has a kid the public side lacks', async () => {
    const [old, fresh] = await Promise.all([testKey('old'), testKey('new')]);
    const c = compareKeySets(await side('cluster', true, jwksOf(old, fresh)), await side('public: https://x', false, jwksOf(old)));
    const f = c.findings.find((x) => x.code === 'JWKS_PUBLIC_CLUSTER_DRIFT');
    expect(f?.status).toBe('fail');
    expect(f?.evidence.missing_kids).toEqual(['new']);
    expect(f?.detail).toContain('reject tokens signed by keys it cannot see');
  });

  it('passes JWKS_PUBLIC_CLUSTER_DRIFT when the public side only has extra (retired) kids', async () => {
    const [old, fresh] = await Promise.all([testKey('old'), testKey('new')]);
    const c = compareKeySets(await side('public: https://x', false, jwksOf(old, fresh)), await side('cluster', true, jwksOf(fresh)));
    expect(statusOf(c.findings, 'JWKS_PUBLIC_CLUSTER_DRIFT')).toBe('pass');
    expect(statusOf(c.findings, 'JWKS_SETS_DIFFER')).toBe('warn');
  });
});

describe('tokenKidInSides', () => {
  it('reports JWKS_KID_NOT_FOUND for the side that lacks the token kid', async () => {
    const a = await side('A', false, jwksOf(await testKey('k1')));
    const b = await side('B', false, jwksOf(await testKey('k2')));
    expect(tokenKidInSides('k1', [a, b]).map((f) => [f.code, f.status])).toEqual([
      ['JWKS_KID_NOT_FOUND', 'pass'],
      ['JWKS_KID_NOT_FOUND', 'fail'],
    ]);
    expect(tokenKidInSides(undefined, [a, b])).toEqual([]);
  });
});
