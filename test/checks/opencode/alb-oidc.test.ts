import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkAuthErrorReasons, parseAlbLine } from '../../../src/checks/opencode/access-logs.js';
import { checkOidcDataExp, checkOidcDataSignature, checkSigner, parseOidcData, verifyOidcData } from '../../../src/checks/opencode/alb-oidc-data.js';
import { checkCallback, checkIpv4, checkOidcConfig, checkUnauthenticated, findOidcRule } from '../../../src/checks/opencode/alb-oidc.js';
import type { RuleFact } from '../../../src/checks/opencode/facts.js';

const ISS = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc';
const action = { issuer: ISS, authorizationEndpoint: 'https://auth.example.com/oauth2/authorize', tokenEndpoint: 'https://auth.example.com/oauth2/token', userInfoEndpoint: 'https://auth.example.com/oauth2/userInfo', clientId: 'albclient', onUnauthenticatedRequest: 'authenticate' };
const discovery = { issuer: ISS, authorization_endpoint: action.authorizationEndpoint, token_endpoint: action.tokenEndpoint, userinfo_endpoint: action.userInfoEndpoint };

describe('authenticate-oidc rule', () => {
  const rule = (priority: number, types: string[]): RuleFact => ({ priority, conditions: [], actions: types.map((type, i) => ({ type, order: i + 1, ...(type === 'authenticate-oidc' ? { authenticate: action } : {}) })) });
  it('ALB_RULE_MISSING: finds rule 10, and fails without any authenticate-oidc', () => {
    expect(findOidcRule([rule(10, ['authenticate-oidc', 'forward'])]).finding.status).toBe('pass');
    expect(findOidcRule([rule(5, ['forward'])]).finding.status).toBe('fail');
    expect(findOidcRule([rule(20, ['authenticate-oidc', 'forward'])]).finding.status).toBe('warn');
  });
  it('ALB_OIDC_CONFIG_MISMATCH: each differing field against discovery and SSM', () => {
    expect(checkOidcConfig(action, discovery, { albClientId: 'albclient' }).map((f) => f.status)).toEqual(['pass']);
    const f = checkOidcConfig({ ...action, tokenEndpoint: 'https://old.example.com/token' }, discovery, { albClientId: 'newclient' });
    expect(f.map((x) => x.evidence.field)).toEqual(['TokenEndpoint', 'ClientId']);
    expect(f.every((x) => x.status === 'fail')).toBe(true);
  });
  it('ALB_OIDC_UNAUTHENTICATED_ACTION: deny is a 401 for everyone without a session', () => {
    expect(checkUnauthenticated({ ...action, onUnauthenticatedRequest: 'deny' }).title).toMatch(/401/);
    expect(checkUnauthenticated({ ...action, onUnauthenticatedRequest: 'allow' }).status).toBe('warn');
    expect(checkUnauthenticated(action).status).toBe('pass');
  });
  it('ALB_OIDC_CALLBACK: the expected redirect URL, compared when the allowed list is given', () => {
    expect(checkCallback(['opencode.example.com'], undefined)).toMatchObject({ status: 'skip', evidence: { callback_urls: ['https://opencode.example.com/oauth2/idpresponse'] } });
    expect(checkCallback(['opencode.example.com'], ['https://opencode.example.com/oauth2/idpresponse']).status).toBe('pass');
    expect(checkCallback(['opencode.example.com'], ['https://opencode.example.com/oauth2/idpresponse/']).status).toBe('fail');
  });
  it('ALB_OIDC_IDP_IPV4: IPv6-only fails, another port warns, a DNS failure is an error', () => {
    const row = { endpoint: 'TokenEndpoint', url: 'x', host: 'auth.example.com', port: 443 };
    expect(checkIpv4([{ ...row, ipv4: [], ipv6: ['2001:db8::1'] }])[0]!).toMatchObject({ status: 'fail', title: expect.stringMatching(/IPv6 only/) });
    expect(checkIpv4([{ ...row, port: 8443, ipv4: ['192.0.2.1'], ipv6: [] }])[0]!.status).toBe('warn');
    expect(checkIpv4([{ ...row, ipv4: undefined, ipv6: undefined, error: 'ENOTFOUND' }])[0]!.status).toBe('error');
    expect(checkIpv4([{ ...row, ipv4: ['192.0.2.1'], ipv6: [] }])[0]!.status).toBe('pass');
  });
});

describe('x-amzn-oidc-data', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const pad = (s: string) => s + '='.repeat((4 - (s.length % 4)) % 4);
  const enc = (o: unknown) => pad(Buffer.from(JSON.stringify(o)).toString('base64url'));
  const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/opencode-oidc-dev/50dc6c495c0c9188';
  function make(header: Record<string, unknown> = {}, payload: Record<string, unknown> = { sub: 'u1', email: 'a@example.com' }) {
    const input = `${enc({ alg: 'ES256', kid: 'k-1', signer: ARN, iss: ISS, client: 'albclient', exp: 1790000060, ...header })}.${enc(payload)}`;
    return `${input}.${pad(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url'))}`;
  }
  it('ALB_OIDC_DATA_SIGNATURE verifies over the padded form AWS sends', () => {
    const p = parseOidcData(make());
    if (!p.ok) throw new Error('parse');
    expect(p.parts.padded).toBe(true);
    const r = verifyOidcData(p.parts, pem);
    expect(r).toEqual({ verified: true, form: 'as_received' });
    expect(checkOidcDataSignature(p.parts.header, r, 'https://keys/k-1').status).toBe('pass');
  });
  it('ALB_OIDC_DATA_SIGNATURE fails for an altered payload and for a non-ES256 alg', () => {
    const [h, , s] = make().split('.');
    const p = parseOidcData(`${h}.${enc({ sub: 'admin' })}.${s}`);
    if (!p.ok) throw new Error('parse');
    expect(checkOidcDataSignature(p.parts.header, verifyOidcData(p.parts, pem), 'u').status).toBe('fail');
    expect(checkOidcDataSignature({ alg: 'HS256', kid: 'k' }, undefined, undefined).title).toMatch(/not ES256/);
  });
  it('ALB_OIDC_DATA_SIGNER_MISMATCH and TOKEN_EXPIRED read the header', () => {
    expect(checkSigner({ signer: ARN }, ARN).status).toBe('pass');
    expect(checkSigner({ signer: ARN }, ARN.replace('50dc', '99aa')).status).toBe('fail');
    expect(checkOidcDataExp({ exp: 1790000060 }, new Date(1790000000 * 1000)).status).toBe('pass');
    expect(checkOidcDataExp({ exp: 1790000060 }, new Date(1790000100 * 1000)).status).toBe('fail');
  });
  it('TOKEN_MALFORMED for a value that is not three parts', () => {
    const p = parseOidcData('abc.def');
    expect(p.ok ? '' : p.finding.code).toBe('TOKEN_MALFORMED');
  });
});

describe('access-log error reasons (ALB_ACCESS_LOGS_REJECTIONS)', () => {
  const line = (reason: string) => `https 2026-09-21T10:00:00.000000Z app/opencode-oidc-dev/abc 203.0.113.7:50000 - -1 -1 -1 401 - 100 200 "GET https://opencode.example.com:443/oauth2/idpresponse?code=secretcode&state=s HTTP/1.1" "Mozilla" ECDHE TLSv1.2 - "Root=1-abc" "opencode.example.com" "arn:cert" 10 2026-09-21T10:00:00.000000Z "authenticate" "-" "${reason}" "-" "-" "-" "-"`;
  it('explains AuthInvalidStateParam, AuthMissingAWSALBAuthNonce, AuthInvalidCookie…', () => {
    const recs = ['AuthInvalidStateParam', 'AuthInvalidStateParam', 'AuthMissingAWSALBAuthNonce', 'AuthInvalidCookie', 'AuthMissingStateParam', 'AuthInvalidAWSALBAuthNonce'].map((r) => parseAlbLine(line(r))!);
    const [f] = checkAuthErrorReasons(recs);
    expect(f!.code).toBe('ALB_ACCESS_LOGS_REJECTIONS');
    expect(f!.title).toMatch(/2× AuthInvalidStateParam/);
    expect(f!.detail).toMatch(/state parameter .* not valid/);
    expect(f!.detail).toMatch(/AWSALBAuthNonce cookie is missing/);
    expect(f!.fix).toMatch(/return the state parameter/);
    expect(JSON.stringify(f)).not.toContain('secretcode');
    expect(checkAuthErrorReasons([parseAlbLine(line('-'))!])).toEqual([]);
  });
});
