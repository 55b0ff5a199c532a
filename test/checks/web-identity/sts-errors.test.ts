import { describe, expect, it } from 'vitest';
import { explainStsError, explanationFinding, parseStsError } from '../../../src/checks/web-identity/sts-errors.js';
import { STS_MESSAGES } from '../../../src/checks/web-identity/sts-messages.js';

const cli = (code: string, msg: string) => `An error occurred (${code}) when calling the AssumeRoleWithWebIdentity operation: ${msg}`;

// Every STS string in context.md, in the form STS_MESSAGES produces → the case it must be.
const EVERY: Array<[string, string, string]> = [
  [STS_MESSAGES.providerNotFound('https://bridge.tail1234.ts.net'), 'provider_not_found', 'InvalidIdentityToken'],
  [STS_MESSAGES.incorrectAudience, 'incorrect_audience', 'InvalidIdentityToken'],
  [STS_MESSAGES.missingAud, 'missing_aud', 'InvalidIdentityToken'],
  [STS_MESSAGES.verificationKey, 'verification_key', 'InvalidIdentityToken'],
  [STS_MESSAGES.thumbprint, 'thumbprint', 'InvalidIdentityToken'],
  [STS_MESSAGES.expired(1790000100, 1790000000), 'expired', 'ExpiredTokenException'],
  [STS_MESSAGES.accessDenied, 'trust_denied', 'AccessDenied'],
  ['IDPCommunicationError: unreachable', 'idp_communication', 'IDPCommunicationError'],
];

describe('explainStsError (STS_ERROR_EXPLAINED)', () => {
  it.each(EVERY)('recognizes %s in CLI form', (text, id, code) => {
    const colon = text.indexOf(': ');
    const e = explainStsError(cli(text.slice(0, colon), text.slice(colon + 2)));
    expect(e.parsed.form).toBe('cli');
    expect(e.known?.id).toBe(id);
    expect(e.parsed.code).toBe(code);
  });

  it.each(EVERY)('recognizes %s in SDK form', (text, id) => {
    const sdk = text.replace(/^InvalidIdentityToken:/, 'InvalidIdentityTokenException:');
    expect(explainStsError(sdk).known?.id).toBe(id);
  });

  it('reads the XML form', () => {
    const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Couldn&apos;t retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements</Message></Error></ErrorResponse>`;
    const e = explainStsError(xml);
    expect(e.parsed).toMatchObject({ form: 'xml', code: 'InvalidIdentityToken' });
    expect(e.known?.id).toBe('verification_key');
  });

  it('reads a JSON log line', () => {
    const line = JSON.stringify({ level: 'error', msg: 'assume failed', error: cli('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity') });
    const e = explainStsError(line);
    expect(e.parsed.form).toBe('json');
    expect(e.known?.id).toBe('trust_denied');
  });

  it('reads a JSON SDK error object with Code/Message', () => {
    const e = explainStsError(JSON.stringify({ Code: 'InvalidIdentityToken', Message: 'Incorrect token audience' }));
    expect(e.known?.id).toBe('incorrect_audience');
  });

  it('says AccessDenied is the trust policy, not the permissions policy, and corrects the guide', () => {
    const f = explanationFinding(explainStsError(cli('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity')));
    expect(f.status).toBe('fail');
    expect(f.detail).toMatch(/TRUST policy/);
    expect(f.detail).toMatch(/permissions-policy denial appears later/);
    expect(f.detail).toContain('check_role_trust');
  });

  it('says "Couldn\'t retrieve verification key" is reachability', () => {
    const f = explanationFinding(explainStsError(STS_MESSAGES.verificationKey));
    expect(f.detail).toMatch(/REACHABILITY/);
    expect(f.detail).toContain('check_public_reachability');
  });

  it('extracts both times from ExpiredTokenException, with or without the space', () => {
    expect(explainStsError(cli('ExpiredTokenException', 'Token expired: current date/time 1626271164 must be before the expiration date/time1626191469')).times).toEqual({ sts_now: 1626271164, exp: 1626191469 });
    expect(explainStsError('ExpiredTokenException: Token expired: current date/time 20 must be before the expiration date/time 10').times).toEqual({ sts_now: 20, exp: 10 });
  });

  it('reads "Token too old" as the expired case', () => {
    expect(explainStsError(cli('ExpiredTokenException', 'Token too old')).known?.id).toBe('expired');
    expect(explainStsError('ExpiredTokenException: Token too old').known?.id).toBe('expired');
  });

  it('reads the token-length ValidationError (4..20,000 characters)', () => {
    const e = explainStsError(cli('ValidationError', "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000"));
    expect(e.known?.id).toBe('token_length');
    expect(e.known?.meaning).toMatch(/20,000/);
  });

  it('explains the GitHub workflow side: no id-token permission, and forks', () => {
    const perm = explainStsError('Error: Could not load credentials from any providers');
    expect(perm.known?.id).toBe('github_id_token_permission');
    expect(perm.known?.fix).toMatch(/id-token: write/);
    expect(explainStsError('Error: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable').known?.id).toBe('github_id_token_permission');
    expect(explainStsError('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable (pull request from a fork)').known?.id).toBe('github_fork_no_token');
  });

  it('explains AccessDenied on sts:TagSession as the session-tags rule', () => {
    expect(explainStsError(cli('AccessDenied', 'User: anonymous is not authorized to perform: sts:TagSession')).known?.id).toBe('tag_session_denied');
  });

  it('removes a JWT from the quoted message', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const p = parseStsError(cli('InvalidIdentityToken', `bad token ${jwt}`));
    expect(p.message).not.toContain(jwt);
    expect(p.message).toContain('[token removed]');
  });

  it('warns on text it does not know', () => {
    const f = explanationFinding(explainStsError('something else entirely'));
    expect(f.status).toBe('warn');
  });

});
