import { describe, expect, it } from 'vitest';
import { checkAttempts, checkDiscovery, latency, type DiscoveryFacts } from '../../src/checks/discovery.js';
import type { Finding } from '../../src/checks/finding.js';

const ISS = 'https://oidc.tail1234.ts.net';
const goodDoc = {
  issuer: ISS,
  jwks_uri: `${ISS}/openid/v1/jwks`,
  response_types_supported: ['id_token'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
};

function facts(over: Partial<DiscoveryFacts> = {}): DiscoveryFacts {
  return { json: goodDoc, url: `${ISS}/.well-known/openid-configuration`, expected: { issuer: ISS, from: 'token iss' }, consumer: 'sts', elapsedMs: 120, redirects: [], ...over };
}

const byCode = (fs: Finding[], code: string) => fs.find((f) => f.code === code);
const statusOf = (fs: Finding[], code: string) => byCode(fs, code)?.status;

describe('checkDiscovery', () => {
  it('passes every check for a good document', () => {
    const fs = checkDiscovery(facts());
    expect(fs.map((f) => [f.code, f.status])).toEqual([
      ['DISCOVERY_INVALID', 'pass'],
      ['DISCOVERY_ISSUER_MISMATCH', 'pass'],
      ['DISCOVERY_JWKS_URI_INVALID', 'pass'],
      ['DISCOVERY_SLOW', 'pass'],
      ['DISCOVERY_REDIRECTED', 'pass'],
    ]);
  });

  it.each([
    ['an array', []],
    ['a string', 'hello'],
    ['null', null],
  ])('reports DISCOVERY_INVALID when the document is %s', (_what, json) => {
    const fs = checkDiscovery(facts({ json }));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ code: 'DISCOVERY_INVALID', status: 'fail' });
  });

  it('reports DISCOVERY_INVALID when issuer is missing', () => {
    const { issuer: _drop, ...doc } = goodDoc;
    const fs = checkDiscovery(facts({ json: doc }));
    expect(statusOf(fs, 'DISCOVERY_INVALID')).toBe('fail');
    expect(statusOf(fs, 'DISCOVERY_ISSUER_MISMATCH')).toBe('skip');
  });

  it('warns DISCOVERY_INVALID when recommended members are missing (AWS needs only issuer and jwks_uri)', () => {
    const fs = checkDiscovery(facts({ json: { issuer: ISS, jwks_uri: goodDoc.jwks_uri } }));
    const f = byCode(fs, 'DISCOVERY_INVALID');
    expect(f?.status).toBe('warn');
    expect(f?.evidence.missing_recommended).toEqual(['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported']);
  });

  it('reports DISCOVERY_INVALID when alb/bridge is the consumer and RS256 is not advertised; STS accepts ES256', () => {
    const json = { ...goodDoc, id_token_signing_alg_values_supported: ['ES256'] };
    expect(statusOf(checkDiscovery(facts({ json, consumer: 'bridge' })), 'DISCOVERY_INVALID')).toBe('fail');
    expect(statusOf(checkDiscovery(facts({ json, consumer: 'alb' })), 'DISCOVERY_INVALID')).toBe('fail');
    expect(statusOf(checkDiscovery(facts({ json, consumer: 'sts' })), 'DISCOVERY_INVALID')).toBe('pass');
    expect(statusOf(checkDiscovery(facts({ json: { ...goodDoc, id_token_signing_alg_values_supported: ['PS256'] }, consumer: 'sts' })), 'DISCOVERY_INVALID')).toBe('fail');
    expect(statusOf(checkDiscovery(facts({ json, consumer: 'generic' })), 'DISCOVERY_INVALID')).toBe('pass');
  });

  it.each([
    ['trailing_slash', `${ISS}/`],
    ['scheme', 'http://oidc.tail1234.ts.net'],
    ['case', 'https://OIDC.tail1234.ts.net'],
    ['host', 'https://oidc.tail9999.ts.net'],
  ])('reports DISCOVERY_ISSUER_MISMATCH and says how (%s)', (kind, issuer) => {
    const f = byCode(checkDiscovery(facts({ json: { ...goodDoc, issuer } })), 'DISCOVERY_ISSUER_MISMATCH');
    expect(f?.status).toBe('fail');
    expect(f?.evidence.difference).toBe(kind);
    expect(f?.detail).toContain(issuer);
  });

  it('skips DISCOVERY_ISSUER_MISMATCH with no expected issuer', () => {
    expect(statusOf(checkDiscovery(facts({ expected: undefined })), 'DISCOVERY_ISSUER_MISMATCH')).toBe('skip');
  });

  it.each([
    ['missing', undefined],
    ['http', 'http://oidc.tail1234.ts.net/openid/v1/jwks'],
    ['not a URL', '/openid/v1/jwks'],
  ])('reports DISCOVERY_JWKS_URI_INVALID when jwks_uri is %s', (_what, jwks_uri) => {
    const f = byCode(checkDiscovery(facts({ json: { ...goodDoc, jwks_uri } })), 'DISCOVERY_JWKS_URI_INVALID');
    expect(f?.status).toBe('fail');
  });

  it('warns DISCOVERY_REDIRECTED for an off-host redirect and passes a same-host one', () => {
    const same = { from: `${ISS}/a`, to: `${ISS}/b`, status: 301, offHost: false };
    const off = { from: `${ISS}/b`, to: 'https://elsewhere.example/b', status: 302, offHost: true };
    expect(statusOf(checkDiscovery(facts({ redirects: [same] })), 'DISCOVERY_REDIRECTED')).toBe('pass');
    const f = byCode(checkDiscovery(facts({ redirects: [same, off] })), 'DISCOVERY_REDIRECTED');
    expect(f?.status).toBe('warn');
    expect(f?.title).toContain('elsewhere.example');
  });
});

describe('latency (DISCOVERY_SLOW)', () => {
  const url = `${ISS}/.well-known/openid-configuration`;
  it.each([
    [2500, 'sts', 'pass'],
    [3500, 'sts', 'warn'],
    [5500, 'sts', 'fail'],
    [5500, 'generic', 'warn'],
  ] as const)('reports DISCOVERY_SLOW for %i ms with consumer %s as %s', (elapsedMs, consumer, status) => {
    expect(latency({ elapsedMs, consumer, url }).status).toBe(status);
  });
});

describe('checkAttempts (DISCOVERY_UNREACHABLE over a retry schedule)', () => {
  it('passes DISCOVERY_UNREACHABLE when the first attempt answered', () => {
    expect(checkAttempts([{ attempt: 1, ok: true }]).status).toBe('pass');
  });

  it('warns DISCOVERY_UNREACHABLE when only a later attempt answered, naming the earlier causes', () => {
    const f = checkAttempts([
      { attempt: 1, ok: false, cause: 'SOURCE_DNS' },
      { attempt: 2, ok: false, cause: 'SOURCE_TLS_NAME' },
      { attempt: 3, ok: true },
    ]);
    expect(f).toMatchObject({ status: 'warn', evidence: { attempts: 3, failed_causes: ['SOURCE_DNS', 'SOURCE_TLS_NAME'] } });
    expect(f.title).toContain('attempt 3');
  });
});
