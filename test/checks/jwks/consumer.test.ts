import { describe, expect, it } from 'vitest';
import { ALB_MAX_BYTES, checkConsumerLimits, checkTokenAlgForConsumer } from '../../../src/checks/jwks/consumer.js';
import { readKeySet, type KeyFacts } from '../../../src/checks/jwks/keys.js';
import { jwksOf, testKey } from '../../helpers/tokens.js';

async function keysOf(json: unknown): Promise<KeyFacts[]> {
  return (await readKeySet(json)).keys;
}
const rsa = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => testKey(`rsa-${i}`)));

describe('checkConsumerLimits', () => {
  it('skips JWKS_CONSUMER_LIMIT for a generic consumer', async () => {
    expect(checkConsumerLimits(await keysOf(jwksOf(await testKey('ec', 'ES256'))), 100, 'generic')).toMatchObject([{ code: 'JWKS_CONSUMER_LIMIT', status: 'skip' }]);
  });

  it('passes JWKS_CONSUMER_LIMIT for an ALB with RS256 keys within limits', async () => {
    expect(checkConsumerLimits(await keysOf(jwksOf(...(await rsa(10)))), 5000, 'alb')).toMatchObject([{ code: 'JWKS_CONSUMER_LIMIT', status: 'pass' }]);
  });

  it('reports JWKS_CONSUMER_LIMIT when the ALB gets more than 10 keys', async () => {
    const fs = checkConsumerLimits(await keysOf(jwksOf(...(await rsa(11)))), 5000, 'alb');
    expect(fs).toMatchObject([{ code: 'JWKS_CONSUMER_LIMIT', status: 'fail', evidence: { key_count: 11, limit: 10 } }]);
  });

  it('reports JWKS_CONSUMER_LIMIT when the JWKS is over 150 KB for the ALB', async () => {
    const fs = checkConsumerLimits(await keysOf(jwksOf(await testKey())), ALB_MAX_BYTES + 1, 'alb');
    expect(fs).toMatchObject([{ code: 'JWKS_CONSUMER_LIMIT', status: 'fail', evidence: { bytes: ALB_MAX_BYTES + 1 } }]);
  });

  it('warns JWKS_CONSUMER_LIMIT for keys the ALB cannot use (not RS256)', async () => {
    const fs = checkConsumerLimits(await keysOf(jwksOf(await testKey(), await testKey('ec-1', 'ES256'))), 3000, 'alb');
    expect(fs).toMatchObject([{ code: 'JWKS_CONSUMER_LIMIT', status: 'warn', evidence: { kids: ['ec-1'] } }]);
  });

  it('passes JWKS_CONSUMER_LIMIT for STS when every key has kid, RSA, RS256, use sig, n, e', async () => {
    expect(checkConsumerLimits(await keysOf(jwksOf(...(await rsa(2)))), 3000, 'sts')[0]?.status).toBe('pass');
  });

  it('reports JWKS_CONSUMER_LIMIT for keys that break the bridge rules', async () => {
    const good = (await testKey()).jwk;
    const { use: _use, ...noUse } = { ...good, kid: 'no-use' };
    const { alg: _alg, ...noAlg } = { ...good, kid: 'no-alg' };
    const fs = checkConsumerLimits(await keysOf({ keys: [good, noUse, noAlg, (await testKey('ec-1', 'ES256')).jwk] }), 3000, 'bridge');
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ code: 'JWKS_CONSUMER_LIMIT', status: 'fail' });
    expect((fs[0]?.evidence.keys as Array<{ kid: string }>).map((k) => k.kid)).toEqual(['no-use', 'no-alg', 'ec-1']);
    expect(fs[0]?.detail).toContain('use missing');
    expect(fs[0]?.detail).toContain('kty EC');
  });

  it('reports JWKS_CONSUMER_LIMIT for an empty JWKS with STS', () => {
    expect(checkConsumerLimits([], 11, 'sts')[0]?.status).toBe('fail');
  });

  it('passes JWKS_CONSUMER_LIMIT for STS with EC keys and keys without use/alg/kid (not the bridge\'s rules)', async () => {
    const good = (await testKey()).jwk;
    const { use: _u, alg: _a, kid: _k, ...bare } = good;
    const fs = checkConsumerLimits(await keysOf({ keys: [bare, (await testKey('ec-1', 'ES256')).jwk, (await testKey('ec-3', 'ES384')).jwk] }), 3000, 'sts');
    expect(fs).toMatchObject([{ code: 'JWKS_CONSUMER_LIMIT', status: 'pass' }]);
  });

  it('reports JWKS_CONSUMER_LIMIT for STS when no key is RSA or EC P-256/384/521', async () => {
    const ed = (await testKey('ed-1', 'EdDSA')).jwk;
    expect(checkConsumerLimits(await keysOf({ keys: [ed] }), 300, 'sts')[0]?.status).toBe('fail');
    expect(checkConsumerLimits(await keysOf({ keys: [ed, (await testKey()).jwk] }), 300, 'sts')[0]?.status).toBe('warn');
  });
});

describe('checkTokenAlgForConsumer', () => {
  it('reports TOKEN_ALG_UNSUPPORTED for ES256 with the ALB and the bridge, not with STS', () => {
    expect(checkTokenAlgForConsumer('ES256', 'alb')).toMatchObject([{ code: 'TOKEN_ALG_UNSUPPORTED', status: 'fail' }]);
    expect(checkTokenAlgForConsumer('ES256', 'bridge')).toMatchObject([{ code: 'TOKEN_ALG_UNSUPPORTED', status: 'fail' }]);
    expect(checkTokenAlgForConsumer('ES512', 'sts')).toMatchObject([{ code: 'TOKEN_ALG_UNSUPPORTED', status: 'pass' }]);
    expect(checkTokenAlgForConsumer('PS256', 'sts')).toMatchObject([{ code: 'TOKEN_ALG_UNSUPPORTED', status: 'fail' }]);
    expect(checkTokenAlgForConsumer('RS256', 'sts')).toMatchObject([{ code: 'TOKEN_ALG_UNSUPPORTED', status: 'pass' }]);
    expect(checkTokenAlgForConsumer('ES256', 'generic')).toEqual([]);
  });
});
