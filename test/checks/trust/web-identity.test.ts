import { describe, expect, it } from 'vitest';
import { webIdentityRequest } from '../../../src/checks/trust/context.js';
import { parseTrustPolicy } from '../../../src/checks/trust/policy.js';
import { judgeWebIdentityTrust } from '../../../src/checks/trust/web-identity.js';
import { conditionKeysFor, issuerKindOf } from '../../../src/presets/condition-keys.js';

const GH = 'token.actions.githubusercontent.com';
const K8S = 'oidc.example.com/cluster';
const arn = (url: string) => `arn:aws:iam::123456789012:oidc-provider/${url}`;

function judge(url: string, statements: unknown[], claims: Record<string, unknown>, role?: { name?: string; tags?: Record<string, string> }) {
  const p = parseTrustPolicy({ Version: '2012-10-17', Statement: statements });
  if (!p.ok) throw new Error(p.problem);
  return judgeWebIdentityTrust(p.statements, { providerArn: arn(url), providerUrl: url, claims, role });
}
const allow = (url: string, extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: { Federated: arn(url) }, Action: 'sts:AssumeRoleWithWebIdentity', ...extra });
const statusOf = (fs: Array<{ code: string; status: string }>, code: string) => fs.find((f) => f.code === code)?.status;

describe('condition keys per issuer', () => {
  it('classifies issuers: github.com, enterprise slug, ghe.com, GHES, Google, generic', () => {
    expect(issuerKindOf(GH)).toBe('github');
    expect(issuerKindOf(`${GH}/octo-enterprise`)).toBe('github_other');
    expect(issuerKindOf('token.actions.octocorp.ghe.com')).toBe('github_other');
    expect(issuerKindOf('ghes.example.com/_services/token')).toBe('github_other');
    expect(issuerKindOf('accounts.google.com')).toBe('google');
    expect(issuerKindOf(K8S)).toBe('generic');
    expect(conditionKeysFor(GH).claims).toContain('job_workflow_ref');
  });

  it('builds keys only for aud, sub, amr on a generic provider', () => {
    const req = webIdentityRequest(arn(K8S), K8S, { sub: 's', aud: ['a', 'b'], email: 'x@example.com', amr: ['mfa'] });
    expect(Object.keys(req.context).sort()).toEqual([`${K8S}:amr`, `${K8S}:aud`, `${K8S}:sub`]);
    expect(req.context[`${K8S}:aud`]).toEqual(['a', 'b']);
  });

  it('maps Google azp to :aud and aud to :oaud', () => {
    const req = webIdentityRequest(arn('accounts.google.com'), 'accounts.google.com', { sub: '1', aud: 'client', azp: '1000' });
    expect(req.context['accounts.google.com:aud']).toEqual(['1000']);
    expect(req.context['accounts.google.com:oaud']).toEqual(['client']);
    const noAzp = webIdentityRequest(arn('accounts.google.com'), 'accounts.google.com', { sub: '1', aud: 'client' });
    expect(noAzp.context['accounts.google.com:aud']).toEqual(['client']);
  });

  it('builds the nine GitHub keys for token.actions.githubusercontent.com', () => {
    const req = webIdentityRequest(arn(GH), GH, { sub: 'repo:o/r:ref:refs/heads/main', repository: 'o/r', workflow: 'ci', runner_environment: 'github-hosted' });
    expect(req.context[`${GH}:repository`]).toEqual(['o/r']);
    expect(req.context[`${GH}:runner_environment`]).toBeUndefined();
  });
});

describe('judgeWebIdentityTrust', () => {
  const ghClaims = { sub: 'repo:octo/app:ref:refs/heads/main', aud: 'sts.amazonaws.com', repository: 'octo/app', runner_environment: 'github-hosted' };

  it('fails TRUST_CONDITION_KEY_UNSUPPORTED when a condition on an unevaluated claim is why the Allow cannot match', () => {
    const j = judge(GH, [allow(GH, { Condition: { StringEquals: { [`${GH}:sub`]: ghClaims.sub, [`${GH}:runner_environment`]: 'github-hosted' } } })], ghClaims);
    expect(j.decision).toBe('implicit_deny');
    expect(statusOf(j.findings, 'TRUST_CONDITION_KEY_UNSUPPORTED')).toBe('fail');
    // Explained once: the generic "other condition" finding does not repeat it.
    expect(statusOf(j.findings, 'TRUST_CONDITION_MISMATCH')).toBe('pass');
  });

  it('assumes the GitHub keys on a GHES provider (no false root cause) and warns that it is an assumption', () => {
    const GHES = 'ghes.example.com/_services/token';
    const j = judge(GHES, [allow(GHES, { Condition: { StringEquals: { [`${GHES}:sub`]: ghClaims.sub, [`${GHES}:repository`]: 'octo/app' } } })], ghClaims);
    expect(j.decision).toBe('allow');
    const f = j.findings.find((x) => x.code === 'TRUST_CONDITION_KEY_UNSUPPORTED')!;
    expect(f.status).toBe('warn');
    expect(f.title).toMatch(/^Assumption/);
    const unknown = judge(GHES, [allow(GHES, { Condition: { StringEquals: { [`${GHES}:sub`]: ghClaims.sub, [`${GHES}:runner_environment`]: 'github-hosted' } } })], ghClaims);
    expect(statusOf(unknown.findings, 'TRUST_CONDITION_KEY_UNSUPPORTED')).toBe('fail');
  });

  it('passes a condition on a GitHub key IAM does evaluate (repository)', () => {
    const j = judge(GH, [allow(GH, { Condition: { StringEquals: { [`${GH}:sub`]: ghClaims.sub, [`${GH}:repository`]: 'octo/app' } } })], ghClaims);
    expect(j.decision).toBe('allow');
    expect(statusOf(j.findings, 'TRUST_CONDITION_KEY_UNSUPPORTED')).toBe('pass');
  });

  it('fails TRUST_TAG_SESSION_MISSING when the token carries session tags and sts:TagSession is not allowed', () => {
    const claims = { sub: 'u', aud: 'sts.amazonaws.com', 'https://aws.amazon.com/tags': { principal_tags: { team: ['a'] } } };
    const j = judge(K8S, [allow(K8S, { Condition: { StringEquals: { [`${K8S}:sub`]: 'u' } } })], claims);
    expect(j.ev.decision).toBe('allow');
    expect(j.decision).toBe('implicit_deny');
    expect(statusOf(j.findings, 'TRUST_TAG_SESSION_MISSING')).toBe('fail');
    const ok = judge(K8S, [allow(K8S, { Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'], Condition: { StringEquals: { [`${K8S}:sub`]: 'u' } } })], claims);
    expect(ok.decision).toBe('allow');
    expect(statusOf(ok.findings, 'TRUST_TAG_SESSION_MISSING')).toBe('pass');
  });

  it('warns TRUST_FORALLVALUES_SINGLE_VALUED with the narrowest condition', () => {
    const j = judge(K8S, [allow(K8S, { Condition: { 'ForAllValues:StringEquals': { [`${K8S}:sub`]: 'system:serviceaccount:a:b' } } })], { sub: 'system:serviceaccount:a:b', aud: 'sts.amazonaws.com' });
    const f = j.findings.find((x) => x.code === 'TRUST_FORALLVALUES_SINGLE_VALUED')!;
    expect(f.status).toBe('warn');
    expect(f.fix).toContain(`"StringEquals": {"${K8S}:sub": "system:serviceaccount:a:b"}`);
    // aud is multi-valued: ForAllValues there is not flagged.
    const aud = judge(K8S, [allow(K8S, { Condition: { 'ForAllValues:StringEquals': { [`${K8S}:aud`]: 'sts.amazonaws.com' }, StringEquals: { [`${K8S}:sub`]: 'x' } } })], { sub: 'x', aud: 'sts.amazonaws.com' });
    expect(statusOf(aud.findings, 'TRUST_FORALLVALUES_SINGLE_VALUED')).toBe('pass');
  });

  it('warns TRUST_SUB_UNCONSTRAINED when an Allow has no :sub condition', () => {
    const j = judge(GH, [allow(GH, { Condition: { StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' } } })], ghClaims);
    expect(j.decision).toBe('allow');
    const f = j.findings.find((x) => x.code === 'TRUST_SUB_UNCONSTRAINED')!;
    expect(f.status).toBe('warn');
    expect(f.fix).toContain(ghClaims.sub);
  });

  it('warns TRUST_WILDCARD_PRODUCTION for repo:ORG/* on a role named or tagged production, not otherwise', () => {
    const stmts = [allow(GH, { Condition: { StringLike: { [`${GH}:sub`]: 'repo:octo/*' } } })];
    expect(statusOf(judge(GH, stmts, ghClaims, { name: 'deploy-prod' }).findings, 'TRUST_WILDCARD_PRODUCTION')).toBe('warn');
    expect(statusOf(judge(GH, stmts, ghClaims, { name: 'ci', tags: { env: 'production' } }).findings, 'TRUST_WILDCARD_PRODUCTION')).toBe('warn');
    expect(statusOf(judge(GH, stmts, ghClaims, { name: 'ci-sandbox' }).findings, 'TRUST_WILDCARD_PRODUCTION')).toBe('pass');
    const k8s = [allow(K8S, { Condition: { StringLike: { [`${K8S}:sub`]: 'system:serviceaccount:*' } } })];
    expect(statusOf(judge(K8S, k8s, { sub: 'system:serviceaccount:a:b' }, { name: 'production-s3' }).findings, 'TRUST_WILDCARD_PRODUCTION')).toBe('warn');
  });
});
