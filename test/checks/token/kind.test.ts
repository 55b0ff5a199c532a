import { describe, expect, it } from 'vitest';
import { checkExpectedKind, classifyToken } from '../../../src/checks/token/kind.js';

const COGNITO_ID = { sub: 'u-1', aud: 'cli-client-id', token_use: 'id', auth_time: 1, 'cognito:username': 'ann', iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC' };
const COGNITO_ACCESS = { sub: 'u-1', client_id: 'cli-client-id', token_use: 'access', scope: 'openid email', auth_time: 1, username: 'ann' };
const K8S = { iss: 'https://oidc.example.ts.net', sub: 'system:serviceaccount:apps:uploader', aud: ['sts.amazonaws.com'], 'kubernetes.io': { namespace: 'apps', serviceaccount: { name: 'uploader' } } };

describe('classifyToken', () => {
  it('recognises a Cognito ID token by token_use', () => {
    const g = classifyToken({ alg: 'RS256' }, COGNITO_ID);
    expect(g.kind).toBe('id');
    expect(g.reasons[0]).toMatch(/token_use is "id"/);
  });

  it('recognises a Cognito access token by token_use, client_id and no aud', () => {
    const g = classifyToken({ alg: 'RS256' }, COGNITO_ACCESS);
    expect(g.kind).toBe('access');
    expect(g.reasons).toEqual(['Cognito token_use is "access"', 'has client_id', 'has no aud']);
  });

  it('recognises an RFC 9068 access token by typ at+jwt', () => {
    expect(classifyToken({ alg: 'RS256', typ: 'at+jwt' }, { aud: 'api', sub: 'x' }).kind).toBe('access');
  });

  it('recognises a Kubernetes service-account token by sub and the kubernetes.io claim', () => {
    const g = classifyToken({ alg: 'RS256' }, K8S);
    expect(g.kind).toBe('service_account');
    expect(g.reasons).toHaveLength(2);
  });

  it('weighs weak signals: nonce/at_hash → id, scope → access, none → unknown', () => {
    expect(classifyToken({}, { aud: 'c', nonce: 'n', at_hash: 'h' }).kind).toBe('id');
    expect(classifyToken({}, { aud: 'api', scope: 'read' }).kind).toBe('access');
    expect(classifyToken({}, { aud: 'c', nonce: 'n', scope: 'read' }).kind).toBe('unknown');
    expect(classifyToken({}, { iss: 'x', sub: 'y' }).kind).toBe('unknown');
  });
});

describe('checkExpectedKind', () => {
  it('reports TOKEN_WRONG_TYPE for a Cognito access token where the ALB needs the ID token', () => {
    const f = checkExpectedKind(classifyToken({}, COGNITO_ACCESS), 'id');
    expect(f.status).toBe('fail');
    expect(f.title).toBe('Expected an OIDC ID token, got an OAuth access token');
    expect(f.detail).toMatch(/no aud/);
    expect(f.fix).toMatch(/opencode-auth login/);
    expect(f.fix).toMatch(/id_token/);
  });

  it('reports TOKEN_WRONG_TYPE for an ID token where an access token is expected', () => {
    const f = checkExpectedKind(classifyToken({}, COGNITO_ID), 'access');
    expect(f.status).toBe('fail');
    expect(f.fix).toMatch(/access_token/);
  });

  it('reports TOKEN_WRONG_TYPE for an ID token where a service-account token is expected', () => {
    const f = checkExpectedKind(classifyToken({}, COGNITO_ID), 'service_account');
    expect(f.status).toBe('fail');
    expect(f.fix).toMatch(/kubectl create token/);
  });

  it('passes TOKEN_WRONG_TYPE when the kind matches, warns when unknown', () => {
    expect(checkExpectedKind(classifyToken({}, K8S), 'service_account').status).toBe('pass');
    expect(checkExpectedKind(classifyToken({}, { sub: 'x' }), 'id').status).toBe('warn');
  });
});
