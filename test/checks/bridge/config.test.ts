import { describe, expect, it } from 'vitest';
import { checkBridgeConfig, issuerUrlProblem, type SettingFact } from '../../../src/checks/bridge/config.js';

const good: Record<string, string> = {
  ISSUER_URL: 'https://oidc.tail1234.ts.net',
  TS_HOSTNAME: 'oidc',
  TS_STATE_SECRET: 'oidc-state',
  TS_API_CLIENT_ID: 'kClient123',
  TS_TAG: 'tag:oidc-bridge',
};
const settings = (env: Record<string, string | undefined>): SettingFact[] => [
  ...Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined).map(([name, value]) => ({ name, from: 'value' as const, value })),
  ...('TS_API_CLIENT_SECRET' in env ? [] : [{ name: 'TS_API_CLIENT_SECRET', from: 'secretKeyRef' as const }]),
];
const rules = (env: Record<string, string | undefined>, envFrom: string[] = []) =>
  checkBridgeConfig({ settings: settings({ ...good, ...env }), envFrom }).filter((f) => f.status !== 'pass').map((f) => `${f.status}:${String(f.evidence.rule)}`);

describe('issuerUrlProblem', () => {
  const table: Array<[string, RegExp | undefined]> = [
    ['https://oidc.tail1234.ts.net', undefined],
    ['http://oidc.tail1234.ts.net', /https/],
    ['https://oidc.tail1234.ts.net/', /ends with "\/"/],
    ['https://oidc.tail1234.ts.net:8443', /port/],
    ['https://oidc.tail1234.ts.net/issuer', /path/],
    ['https://oidc.tail1234.ts.net?x=1', /query/],
    ['https://oidc.tail1234.ts.net#f', /fragment/],
    ['https://user@oidc.tail1234.ts.net', /userinfo/],
    ['oidc.tail1234.ts.net', /not a valid URL/],
  ];
  it.each(table)('%s → %s', (url, problem) => {
    const p = issuerUrlProblem(url);
    if (problem) expect(p).toMatch(problem);
    else expect(p).toBeUndefined();
  });
});

describe('checkBridgeConfig', () => {
  it('passes BRIDGE_CONFIG_INVALID for a valid configuration', () => {
    expect(rules({})).toEqual([]);
  });
  it.each([
    ['a missing required setting', { TS_TAG: undefined }, 'fail:required'],
    ['an empty required setting', { TS_HOSTNAME: '' }, 'fail:required'],
    ['ISSUER_URL with a trailing slash', { ISSUER_URL: 'https://oidc.tail1234.ts.net/' }, 'fail:issuer_url_host_only'],
    ['ISSUER_URL with a port', { ISSUER_URL: 'https://oidc.tail1234.ts.net:443' }, 'fail:issuer_url_host_only'],
    ['ISSUER_URL host not TS_HOSTNAME.<tailnet>.ts.net', { ISSUER_URL: 'https://bridge.tail1234.ts.net' }, 'fail:issuer_host_is_ts_hostname'],
    ['ISSUER_URL host outside ts.net', { ISSUER_URL: 'https://oidc.example.com' }, 'fail:issuer_host_is_ts_hostname'],
    ['TS_TAG without tag:', { TS_TAG: 'oidc-bridge' }, 'fail:ts_tag_prefix'],
    ['a removed setting', { JWKS_UPSTREAM_URL: 'https://kubernetes.default.svc' }, 'fail:removed_setting'],
    ['an unknown bridge-looking setting', { TS_API_CLIENTSECRET: 'x' }, 'warn:unknown_setting'],
    ['a literal secret', { TS_API_CLIENT_SECRET: '(set)' }, 'warn:secret_from_secret'],
    ['allowlist on without CIDRs', { SOURCE_IP_ALLOWLIST_ENABLED: 'true' }, 'fail:allowlist_cidrs'],
  ])('reports BRIDGE_CONFIG_INVALID for %s', (_name, env, expected) => {
    expect(rules(env)).toContain(expected);
  });
  it('reports a missing required setting only as warn when envFrom may supply it', () => {
    expect(rules({ TS_TAG: undefined }, ['secret:bridge-env'])).toEqual(['warn:required']);
  });
  it('ignores unrelated variables (GOMEMLIMIT, POD_NAME)', () => {
    expect(rules({ GOMEMLIMIT: '100MiB', POD_NAME: 'x' })).toEqual([]);
  });
});
