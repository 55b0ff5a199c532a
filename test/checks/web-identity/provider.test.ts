import { describe, expect, it } from 'vitest';
import { audienceFinding, matchProvider, providerFinding, type ProviderFacts } from '../../../src/checks/web-identity/provider.js';

const p = (url: string, clientIds = ['sts.amazonaws.com']): ProviderFacts => ({ arn: `arn:aws:iam::123456789012:oidc-provider/${url}`, url, clientIds, thumbprints: [] });

describe('matchProvider', () => {
  it('matches the provider whose URL is the issuer without https://', () => {
    const m = matchProvider('https://bridge.tail1234.ts.net', [p('other.example.com'), p('bridge.tail1234.ts.net')]);
    expect(m.match?.url).toBe('bridge.tail1234.ts.net');
    expect(providerFinding('https://bridge.tail1234.ts.net', m, 2).status).toBe('pass');
  });

  it('reports IAM_OIDC_PROVIDER_MISSING with the trailing-slash near miss', () => {
    const m = matchProvider('https://bridge.tail1234.ts.net/', [p('bridge.tail1234.ts.net'), p('unrelated.example.org')]);
    expect(m.match).toBeUndefined();
    expect(m.nearMisses).toHaveLength(1);
    expect(m.nearMisses[0]!.difference).toContain('"/"');
    const f = providerFinding('https://bridge.tail1234.ts.net/', m, 2);
    expect(f.status).toBe('fail');
    expect(f.detail).toContain('No OpenIDConnect provider found in your account for https://bridge.tail1234.ts.net/');
  });

  it('lists a host typo and a path difference as near misses', () => {
    const m = matchProvider('https://bridge.tail1234.ts.net', [p('bridge.tail1243.ts.net'), p('bridge.tail1234.ts.net/k8s')]);
    expect(m.nearMisses.map((n) => n.url).sort()).toEqual(['bridge.tail1234.ts.net/k8s', 'bridge.tail1243.ts.net']);
  });

  it('never matches an http issuer', () => {
    const m = matchProvider('http://bridge.tail1234.ts.net', [p('bridge.tail1234.ts.net')]);
    expect(m.match).toBeUndefined();
    expect(m.nearMisses[0]!.difference).toContain('scheme');
  });
});

describe('audienceFinding', () => {
  it('reports IAM_PROVIDER_AUDIENCE_MISSING when no audience is listed', () => {
    const f = audienceFinding(p('x.example.com', ['other']), ['sts.amazonaws.com']);
    expect(f.status).toBe('fail');
    expect(f.fix).toContain('add-client-id-to-open-id-connect-provider');
    expect(audienceFinding(p('x.example.com'), ['vault', 'sts.amazonaws.com']).status).toBe('pass');
    expect(audienceFinding(undefined, ['sts.amazonaws.com']).status).toBe('skip');
  });
});
