/** The playbook itself, offline: what it says about the checks it did not run. */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/playbook.js';
import { DEFAULT_HTTP_POLICY } from '../../src/sources/http.js';
import { mintToken, NOW_DATE } from '../helpers/tokens.js';

const ctx = () => ({
  now: NOW_DATE,
  env: {},
  cwd: process.cwd(),
  signal: new AbortController().signal,
  http: DEFAULT_HTTP_POLICY,
  progress: () => undefined,
  secret: () => undefined,
  memo: new Map(),
});

describe('diagnose (playbook) offline', () => {
  it('marks every network section CHECK_NOT_RUN (skip), and ranks only what it checked', async () => {
    const raw = await mintToken({ claims: { iss: 'https://oidc.example.test', aud: 'sts.amazonaws.com', sub: 'system:serviceaccount:apps:x' }, exp: -60 });
    const r = await diagnose({ token: { raw, source: 'test' }, preset: 'sts', expected: {}, skewSeconds: 0, offline: true, deadlineMs: 5000, webIdentity: { roleArn: 'arn:aws:iam::123456789012:role/x' } }, ctx());
    expect(r.preset).toBe('web-identity');
    for (const label of ['Public discovery', 'Provider', 'Trust policy', 'Cluster JWKS', 'Bridge', 'STS answer']) {
      const s = r.sections.find((x) => x.label === label)!;
      expect(s.findings.map((f) => [f.code, f.status]), label).toEqual([['CHECK_NOT_RUN', 'skip']]);
    }
    expect(r.ranked.root?.code).toBe('TOKEN_EXPIRED');
  });

  it('names TOKEN_LENGTH_INVALID for a 3-character token for STS (it checks the length before parsing); generic says malformed', async () => {
    const sts = await diagnose({ token: { raw: 'abc', source: 'test' }, preset: 'web-identity', expected: {}, skewSeconds: 0, offline: true, deadlineMs: 5000, webIdentity: {} }, ctx());
    expect(sts.ranked.root?.code).toBe('TOKEN_LENGTH_INVALID');
    expect(sts.ranked.also.map((f) => f.code)).toContain('TOKEN_MALFORMED');
    const generic = await diagnose({ token: { raw: 'abc', source: 'test' }, preset: 'generic', expected: {}, skewSeconds: 0, offline: true, deadlineMs: 5000 }, ctx());
    expect(generic.ranked.root?.code).toBe('TOKEN_MALFORMED');
  });

  it('rejects a service account that is not NAMESPACE:NAME, naming the argument', async () => {
    const raw = await mintToken({ claims: { iss: 'https://oidc.example.test', aud: 'sts.amazonaws.com' } });
    await expect(diagnose({ token: { raw, source: 'test' }, preset: 'web-identity', expected: {}, skewSeconds: 0, offline: true, deadlineMs: 5000, webIdentity: { serviceAccount: 'apps/x' } }, ctx())).rejects.toThrow(/service_account "apps\/x" is not NAMESPACE:NAME/);
  });
});
