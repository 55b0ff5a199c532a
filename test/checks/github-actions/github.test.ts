import { describe, expect, it } from 'vitest';
import { checkGithubAudience, checkGithubSub } from '../../../src/checks/github-actions/index.js';
import { classifyToken } from '../../../src/checks/token/kind.js';
import { parseTrustPolicy } from '../../../src/checks/trust/policy.js';
import { judgeWebIdentityTrust } from '../../../src/checks/trust/web-identity.js';
import { defaultSubFor, parseGithubIssuer, parseGithubSub, stsAudienceFor } from '../../../src/presets/github-actions.js';

const URL_ = 'token.actions.githubusercontent.com';
const base = { iss: `https://${URL_}`, aud: 'sts.amazonaws.com', repository: 'octo/app', repository_owner: 'octo', repository_owner_id: '111', repository_id: '222', job_workflow_ref: 'octo/app/.github/workflows/deploy.yml@refs/heads/main', run_id: '9', ref: 'refs/heads/main', event_name: 'push' };

function evFor(sub: string | string[], claims: Record<string, unknown>, operator = 'StringEquals') {
  const p = parseTrustPolicy({ Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${URL_}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { [operator]: { [`${URL_}:sub`]: sub, [`${URL_}:aud`]: 'sts.amazonaws.com' } } }] });
  if (!p.ok) throw new Error(p.problem);
  return judgeWebIdentityTrust(p.statements, { providerArn: `arn:aws:iam::123456789012:oidc-provider/${URL_}`, providerUrl: URL_, claims }).ev;
}

describe('GitHub issuer forms and audiences', () => {
  it('recognizes github.com, the enterprise slug, GHE.com and GHES; the provider URL drops the scheme', () => {
    expect(parseGithubIssuer('https://token.actions.githubusercontent.com')).toMatchObject({ form: 'github.com', providerUrl: URL_ });
    expect(parseGithubIssuer('https://token.actions.githubusercontent.com/octo-ent')).toMatchObject({ form: 'enterprise', enterpriseSlug: 'octo-ent', providerUrl: `${URL_}/octo-ent` });
    expect(parseGithubIssuer('https://token.actions.octocorp.ghe.com')).toMatchObject({ form: 'ghe.com', subdomain: 'octocorp' });
    expect(parseGithubIssuer('https://github.example.com/_services/token')).toMatchObject({ form: 'ghes', providerUrl: 'github.example.com/_services/token' });
    expect(parseGithubIssuer('https://accounts.google.com')).toBeUndefined();
  });

  it('uses sts.amazonaws.com.cn in the China regions', () => {
    expect(stsAudienceFor('cn-north-1')).toBe('sts.amazonaws.com.cn');
    expect(stsAudienceFor('eu-west-1')).toBe('sts.amazonaws.com');
  });

  it('classifies a GitHub Actions token as kind github', () => {
    expect(classifyToken({}, { ...base, sub: 'repo:octo/app:ref:refs/heads/main' }).kind).toBe('github');
  });
});

describe('GitHub sub grammar', () => {
  it('builds the default sub with environment → pull_request → ref precedence and %3A escaping', () => {
    expect(defaultSubFor({ ...base, environment: 'prod' })).toBe('repo:octo/app:environment:prod');
    expect(defaultSubFor({ ...base, event_name: 'pull_request', ref: 'refs/pull/7/merge' })).toBe('repo:octo/app:pull_request');
    expect(defaultSubFor({ ...base, event_name: 'pull_request', environment: 'review' })).toBe('repo:octo/app:environment:review');
    expect(defaultSubFor({ ...base, ref: 'refs/tags/v1.0' })).toBe('repo:octo/app:ref:refs/tags/v1.0');
    expect(defaultSubFor({ ...base, environment: 'eu:prod' })).toBe('repo:octo/app:environment:eu%3Aprod');
    expect(defaultSubFor({ ...base, environment: 'prod' }, true)).toBe('repo:octo@111/app@222:environment:prod');
  });

  it('parses the names form, the immutable form and a custom template', () => {
    expect(parseGithubSub('repo:octo/app:ref:refs/heads/main')).toMatchObject({ owner: 'octo', repo: 'app', immutable: false, standard: true, context: { kind: 'ref', ref: 'refs/heads/main' } });
    expect(parseGithubSub('repo:octo@111/app@222:environment:prod')).toMatchObject({ ownerId: '111', repoId: '222', immutable: true, context: { kind: 'environment', environment: 'prod' } });
    expect(parseGithubSub('repository_owner_id:111:repository_id:222:environment:prod').standard).toBe(false);
  });
});

describe('checkGithubAudience', () => {
  it('passes for sts.amazonaws.com and explains GitHub\'s default owner-URL audience', () => {
    expect(checkGithubAudience(base, 'us-east-1').status).toBe('pass');
    const f = checkGithubAudience({ ...base, aud: 'https://github.com/octo' }, 'us-east-1');
    expect(f).toMatchObject({ code: 'GITHUB_AUDIENCE_NOT_STS', status: 'fail' });
    expect(f.detail).toMatch(/default audience/);
    expect(checkGithubAudience(base, 'cn-north-1').detail).toMatch(/sts\.amazonaws\.com\.cn/);
  });
});

describe('checkGithubSub (GITHUB_SUB_FORM_MISMATCH)', () => {
  it('explains an environment job against a ref policy, with the narrowest condition', () => {
    const claims = { ...base, environment: 'prod', sub: 'repo:octo/app:environment:prod' };
    const f = checkGithubSub(claims, evFor('repo:octo/app:ref:refs/heads/main', claims), URL_);
    expect(f.status).toBe('fail');
    expect(f.detail).toContain('this job runs in environment prod');
    expect(f.detail).toContain('your policy expects a ref (refs/heads/main)');
    expect(f.fix).toContain(`"StringEquals": {"${URL_}:sub": "repo:octo/app:environment:prod"}`);
  });

  it('explains a pull_request job against a ref policy', () => {
    const claims = { ...base, event_name: 'pull_request', sub: 'repo:octo/app:pull_request' };
    expect(checkGithubSub(claims, evFor('repo:octo/app:ref:refs/heads/main', claims), URL_).detail).toContain('a pull_request event');
  });

  it('explains the immutable form against a names-based policy', () => {
    const claims = { ...base, sub: 'repo:octo@111/app@222:ref:refs/heads/main' };
    const f = checkGithubSub(claims, evFor('repo:octo/app:ref:refs/heads/main', claims), URL_);
    expect(f.detail).toMatch(/immutable sub form .*2026-07-15/);
    expect(f.fix).toContain('repository_id');
  });

  it('explains a custom template, a case difference and * under StringEquals', () => {
    const custom = { ...base, sub: 'repository_owner_id:111:repository_id:222:environment:prod' };
    expect(checkGithubSub(custom, evFor('repo:octo/app:environment:prod', custom), URL_).detail).toMatch(/custom sub template/);
    const cased = { ...base, sub: 'repo:Octo/App:ref:refs/heads/main' };
    expect(checkGithubSub(cased, evFor('repo:octo/app:ref:refs/heads/main', cased), URL_).detail).toMatch(/case-sensitively/);
    const star = { ...base, sub: 'repo:octo/app:ref:refs/heads/main' };
    expect(checkGithubSub(star, evFor('repo:octo/app:*', star), URL_).detail).toMatch(/literal star; use StringLike/);
  });

  it('passes when the policy matches (StringLike repo:octo/app:*)', () => {
    const claims = { ...base, sub: 'repo:octo/app:ref:refs/heads/main' };
    expect(checkGithubSub(claims, evFor('repo:octo/app:*', claims, 'StringLike'), URL_).status).toBe('pass');
  });
});
