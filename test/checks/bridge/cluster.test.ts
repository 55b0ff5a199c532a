import { describe, expect, it } from 'vitest';
import { checkClusterIssuer, clusterReason, clusterUnreachable } from '../../../src/checks/bridge/cluster.js';

describe('clusterUnreachable', () => {
  const table: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['SOURCE_KUBECTL_MISSING', {}, 'missing', /Install kubectl/],
    ['SOURCE_TIMEOUT', {}, 'timeout', /cluster-info/],
    ['SOURCE_KUBECTL_FAILED', { reason: 'unauthorized' }, 'unauthorized', /credentials/],
    ['SOURCE_KUBECTL_FAILED', { reason: 'unreachable' }, 'unreachable', /server address/],
    ['SOURCE_KUBECTL_FAILED', { reason: 'weird' }, 'other', /by hand/],
  ];
  it.each(table)('reports CLUSTER_UNREACHABLE for %s %j as %s', (code, facts, reason, fix) => {
    const e = { code, message: 'm', facts };
    expect(clusterReason(e)).toBe(reason);
    const f = clusterUnreachable(e, 'Reading');
    expect(f.code).toBe('CLUSTER_UNREACHABLE');
    expect(f.status).toBe('error');
    expect(f.fix).toMatch(fix);
  });
});

describe('checkClusterIssuer', () => {
  const pub = { issuer: 'https://oidc.tail1234.ts.net', from: 'bridge ISSUER_URL' };
  it('reports CLUSTER_ISSUER_MISMATCH with the --service-account-issuer fix when they differ', () => {
    const f = checkClusterIssuer('https://kubernetes.default.svc.cluster.local', pub);
    expect(f.status).toBe('fail');
    expect(f.fix).toContain('--service-account-issuer=https://oidc.tail1234.ts.net');
    expect(f.fix).toContain('sts.amazonaws.com');
    expect(f.evidence.difference).toBe('host');
  });
  it('reports CLUSTER_ISSUER_MISMATCH naming a trailing slash', () => {
    const f = checkClusterIssuer('https://oidc.tail1234.ts.net/', pub);
    expect(f.status).toBe('fail');
    expect(f.detail).toMatch(/\//);
    expect(f.evidence.difference).toBe('trailing_slash');
  });
  it('passes CLUSTER_ISSUER_MISMATCH when equal, skips without an expected issuer', () => {
    expect(checkClusterIssuer(pub.issuer, pub).status).toBe('pass');
    expect(checkClusterIssuer(pub.issuer, undefined).status).toBe('skip');
  });
});
