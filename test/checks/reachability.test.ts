import { describe, expect, it } from 'vitest';
import { checkTailnet, classifyAddress, type AddressClass } from '../../src/checks/reachability.js';

describe('classifyAddress', () => {
  const table: Array<[string, AddressClass]> = [
    ['100.64.0.1', 'tailnet'],
    ['100.100.100.100', 'tailnet'],
    ['100.127.255.254', 'tailnet'],
    ['100.63.255.255', 'public'], // just below 100.64.0.0/10
    ['100.128.0.1', 'public'], // just above
    ['fd7a:115c:a1e0::1', 'tailnet'],
    ['fd7a:115c:a1e0:ab12:4843:cd96:6258:b240', 'tailnet'],
    ['[fd7a:115c:a1e0::53]', 'tailnet'],
    ['fd7a:115c:a1e1::1', 'private'], // outside the /48, still ULA
    ['::ffff:100.101.102.103', 'tailnet'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['fe80::1', 'link_local'],
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['not-an-ip', 'invalid'],
  ];
  it.each(table)('classifies %s as %s', (addr, cls) => {
    expect(classifyAddress(addr)).toBe(cls);
  });
});

describe('checkTailnet', () => {
  it('reports REACHABILITY_TAILNET_ONLY (warn) when the host resolves to a Tailscale address', () => {
    const f = checkTailnet('oidc.tail1234.ts.net', ['100.101.102.103']);
    expect(f.code).toBe('REACHABILITY_TAILNET_ONLY');
    expect(f.status).toBe('warn');
    expect(f.fix).toContain('curl');
    expect(f.fix).toContain('https://oidc.tail1234.ts.net/.well-known/openid-configuration');
  });
  it('reports REACHABILITY_TAILNET_ONLY (warn) for a Tailscale IPv6 among public addresses', () => {
    expect(checkTailnet('h', ['203.0.113.7', 'fd7a:115c:a1e0::9']).status).toBe('warn');
  });
  it('passes REACHABILITY_TAILNET_ONLY for public addresses and skips with none', () => {
    expect(checkTailnet('h', ['203.0.113.7']).status).toBe('pass');
    expect(checkTailnet('h', []).status).toBe('skip');
  });
});
