/**
 * The web-identity tools end to end through runTool: IAM providers and roles in a real moto
 * server, a loopback HTTPS issuer (discovery + JWKS) for reachability facts, and — only for
 * STS rejections, which moto never produces (its AssumeRoleWithWebIdentity accepts anything) —
 * aws-sdk-client-mock answering with STS's real error codes and messages.
 */
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, ExpiredTokenException, InvalidIdentityTokenException, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STS_MESSAGES } from '../../src/checks/web-identity/sts-messages.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { codes, run, runOk } from '../helpers/ctx.js';
import { jwksOf, mintToken, NOW, testKey } from '../helpers/tokens.js';


const ACCOUNT = '123456789012';
const NS = 'apps';
const SA = 'uploader';
const SUB = `system:serviceaccount:${NS}:${SA}`;

let moto: Moto | undefined;
let srv: TestHttpsServer;
let ISS: string;
let URL_: string;
let PROVIDER_ARN: string;
const saved = { ...process.env };
const seen: string[] = []; // every raw token minted here: the canary

async function token(opts: Parameters<typeof mintToken>[0] = {}) {
  const t = await mintToken({ key: await testKey('sa-key-1'), ...opts, claims: { iss: ISS, sub: SUB, aud: ['sts.amazonaws.com'], ...opts.claims } });
  seen.push(t);
  return t;
}
const http = () => ({ http: { ca: srv.caCert } });

/** Every output (structured and text) must be free of every raw token and its signature. */
function canary(r: Awaited<ReturnType<typeof run>>) {
  const all = r.ok ? JSON.stringify(r.output) + r.text : r.message;
  for (const t of seen) {
    expect(all).not.toContain(t);
    expect(all).not.toContain(t.split('.')[2]);
  }
}

const trust = (cond: Record<string, unknown>) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: cond }],
});

async function world(opts: { providerUrl?: string; clientIds?: string[]; thumbprints?: string[]; sub?: string } = {}) {
  await moto!.reset();
  const iam = new IAMClient({});
  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: opts.providerUrl ?? ISS, ClientIDList: opts.clientIds ?? ['sts.amazonaws.com'], ThumbprintList: opts.thumbprints ?? [] }));
  await iam.send(new CreateRoleCommand({ RoleName: SA, AssumeRolePolicyDocument: trust({ StringEquals: { [`${URL_}:sub`]: opts.sub ?? SUB, [`${URL_}:aud`]: 'sts.amazonaws.com' } }) }));
}

beforeAll(async () => {
  const key = await testKey('sa-key-1');
  srv = await startHttpsServer();
  ISS = srv.origin;
  URL_ = ISS.replace('https://', '');
  PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${URL_}`;
  srv.routes.set('/.well-known/openid-configuration', { json: { issuer: ISS, jwks_uri: `${ISS}/openid/v1/jwks`, id_token_signing_alg_values_supported: ['RS256'] } });
  srv.routes.set('/openid/v1/jwks', { json: jwksOf(key) });
  moto = await useMoto();
  if (moto) process.env = { ...process.env, ...motoEnv(moto.endpoint) };
});
afterAll(async () => {
  process.env = saved;
  await moto?.stop();
  await srv?.close();
});

// ── offline tools ─────────────────────────────────────────────────────────────
describe('check_web_identity_token', () => {
  it('passes a good token and fails TOKEN_SUBJECT_MISMATCH / TOKEN_AUDIENCE_MISMATCH for a wrong one', async () => {
    const good = await runOk('check_web_identity_token', { token: await token(), expected_issuer: ISS, namespace: NS, service_account: SA });
    expect(good.verdict).toBe('pass');
    expect(good.output).toMatchObject({ issuer: ISS, subject: SUB, expected_subject: SUB });
    canary(good);
    const bad = await runOk('check_web_identity_token', { token: await token({ claims: { aud: 'sts.amazon.com', sub: 'system:serviceaccount:apps:default' } }), namespace: NS, service_account: SA });
    expect(codes(bad.output)).toEqual(expect.arrayContaining(['TOKEN_AUDIENCE_MISMATCH', 'TOKEN_SUBJECT_MISMATCH']));
    canary(bad);
  });

  it('warns TOKEN_EXPIRED inside STS\'s 5-minute window by default and passes TOKEN_LENGTH_INVALID for a normal token', async () => {
    const r = await runOk('check_web_identity_token', { token: await token({ exp: -30 }), expected_issuer: ISS, namespace: NS, service_account: SA });
    expect(r.verdict).toBe('pass');
    expect(codes(r.output, 'warn')).toContain('TOKEN_EXPIRED');
    expect(codes(r.output, 'pass')).toContain('TOKEN_LENGTH_INVALID');
    const strict = await runOk('check_web_identity_token', { token: await token({ exp: -30 }), skew_seconds: 0 });
    expect(codes(strict.output)).toContain('TOKEN_EXPIRED');
  });

  it('is a usage error with only one of namespace / service_account', async () => {
    const r = await run('check_web_identity_token', { token: await token(), namespace: NS });
    expect(r).toMatchObject({ ok: false, kind: 'usage' });
  });
});

describe('explain_sts_error', () => {
  it('explains a CLI AccessDenied as the trust policy and never echoes a token in the text', async () => {
    const t = await token();
    const r = await runOk('explain_sts_error', { error_text: `An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity (token ${t})` });
    expect(r.output).toMatchObject({ case: 'trust_denied', error_code: 'AccessDenied', form: 'cli' });
    expect(r.output.confirm_with).toContain('check_role_trust');
    expect(codes(r.output)).toEqual(['STS_ERROR_EXPLAINED']);
    canary(r);
  });
});

// ── IAM-backed tools (moto) ──────────────────────────────────────────────────
describe.skipIf(!need('moto_server'))('against moto IAM', () => {
  describe('check_iam_oidc_provider', () => {
    it('finds the provider for the token\'s iss', async () => {
      await world();
      const r = await runOk('check_iam_oidc_provider', { token: await token() });
      expect(r.verdict).toBe('pass');
      expect(r.output.provider).toMatchObject({ arn: PROVIDER_ARN, url: URL_, client_ids: ['sts.amazonaws.com'] });
      canary(r);
    });

    it('reports IAM_OIDC_PROVIDER_MISSING with the trailing-slash near miss', async () => {
      await world({ providerUrl: `${ISS}/` });
      const r = await runOk('check_iam_oidc_provider', { issuer: ISS });
      expect(codes(r.output)).toEqual(['IAM_OIDC_PROVIDER_MISSING']);
      expect(r.output.near_misses).toEqual([expect.objectContaining({ url: `${URL_}/` })]);
    });

    it('reports IAM_PROVIDER_AUDIENCE_MISSING when the client id list lacks the aud', async () => {
      await world({ clientIds: ['something-else'] });
      const r = await runOk('check_iam_oidc_provider', { token: await token() });
      expect(codes(r.output)).toEqual(['IAM_PROVIDER_AUDIENCE_MISSING']);
    });
  });

  describe('check_role_trust', () => {
    it('allows the matching token, reading the URL-encoded GetRole document', async () => {
      await world();
      const r = await runOk('check_role_trust', { role_name: SA, token: await token() });
      expect(r.output).toMatchObject({ decision: 'allow', provider_arn: PROVIDER_ARN, role_arn: `arn:aws:iam::${ACCOUNT}:role/${SA}` });
      expect(r.verdict).toBe('pass');
      canary(r);
    });

    it('reports TRUST_CONDITION_SUB_MISMATCH with the per-statement values', async () => {
      await world({ sub: 'system:serviceaccount:apps:other' });
      const r = await runOk('check_role_trust', { role_arn: `arn:aws:iam::${ACCOUNT}:role/${SA}`, token: await token() });
      expect(r.output.decision).toBe('implicit_deny');
      expect(codes(r.output)).toEqual(['TRUST_CONDITION_SUB_MISMATCH']);
      const st = (r.output.statements as Array<{ conditions: Array<{ key: string; result: unknown; request_values: unknown }> }>)[0]!;
      expect(st.conditions.find((c) => c.key.endsWith(':sub'))).toMatchObject({ result: false, request_values: [SUB] });
    });

    it('reports TRUST_WILDCARD_IN_STRINGEQUALS for a * in StringEquals', async () => {
      await world({ sub: 'system:serviceaccount:apps:*' });
      const r = await runOk('check_role_trust', { role_name: SA, token: await token() });
      expect(codes(r.output)).toEqual(expect.arrayContaining(['TRUST_WILDCARD_IN_STRINGEQUALS', 'TRUST_CONDITION_SUB_MISMATCH']));
    });

    it('reports AWS_CALL_FAILED (not a crash) for a role that does not exist', async () => {
      await world();
      const r = await runOk('check_role_trust', { role_name: 'nope', token: await token() });
      expect(r.verdict).toBe('error');
      expect(codes(r.output, 'error')).toEqual(['AWS_CALL_FAILED']);
    });

    it('evaluates a given trust policy offline: TRUST_PRINCIPAL_MISMATCH, TRUST_ACTION_MISSING, TRUST_EXPLICIT_DENY, TRUST_CONDITION_AUD_MISMATCH, TRUST_CONDITION_MISMATCH', async () => {
      const t = await token({ claims: { email: 'dev@example.com' } });
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/${SA}`;
      const doc = (stmts: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: stmts });
      const allow = { Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' };
      const cases: Array<[unknown[], string]> = [
        [[{ ...allow, Principal: { Federated: `${PROVIDER_ARN}/` } }], 'TRUST_PRINCIPAL_MISMATCH'],
        [[{ ...allow, Action: 'sts:AssumeRole' }], 'TRUST_ACTION_MISSING'],
        [[allow, { Effect: 'Deny', Principal: '*', Action: 'sts:*' }], 'TRUST_EXPLICIT_DENY'],
        [[{ ...allow, Condition: { StringEquals: { [`${URL_}:aud`]: 'sts.amazon.com' } } }], 'TRUST_CONDITION_AUD_MISMATCH'],
        [[{ ...allow, Condition: { StringEquals: { [`${URL_}:amr`]: 'mfa' } } }], 'TRUST_CONDITION_MISMATCH'],
        // IAM makes no condition key of email for an OIDC provider: the condition can never match.
        [[{ ...allow, Condition: { StringEquals: { [`${URL_}:email`]: 'dev@example.com' } } }], 'TRUST_CONDITION_KEY_UNSUPPORTED'],
      ];
      for (const [stmts, code] of cases) {
        const r = await runOk('check_role_trust', { role_arn: roleArn, trust_policy: doc(stmts), token: t });
        expect(codes(r.output), code).toContain(code);
      }
    });
  });

  // ── predict_sts_outcome: one world per STS error string in context.md ──────
  describe('predict_sts_outcome', () => {
    const predict = async (input: Record<string, unknown>) => {
      const r = await runOk('predict_sts_outcome', { role_name: SA, ...input }, http());
      // Every prediction is carried by one STS_OUTCOME finding.
      expect((r.output.findings as Array<{ code: string }>).filter((f) => f.code === 'STS_OUTCOME')).toHaveLength(1);
      canary(r);
      return r.output as { outcome: string; sts_response: string; stage: string; exact: boolean; assumptions: string[] };
    };

    it('predicts success for the good world (provider, public keys, expiry, aud, trust all pass)', async () => {
      await world();
      const o = await predict({ token: await token() });
      expect(o).toMatchObject({ outcome: 'success', stage: 'done', assumptions: [] });
    });

    it('predicts "No OpenIDConnect provider found in your account for <iss>"', async () => {
      await world({ providerUrl: `${ISS}/` });
      const o = await predict({ token: await token() });
      expect(o.sts_response).toBe(`InvalidIdentityToken: No OpenIDConnect provider found in your account for ${ISS}`);
    });

    it('predicts "Couldn\'t retrieve verification key" when the JWKS answers 503 (bridge not ready)', async () => {
      await world();
      const keep = srv.routes.get('/openid/v1/jwks')!;
      srv.routes.set('/openid/v1/jwks', { status: 503, body: 'jwks not ready' });
      try {
        const o = await predict({ token: await token() });
        expect(o.sts_response).toBe(STS_MESSAGES.verificationKey);
        expect(o.sts_response).toContain('provider,  please'); // STS's two spaces
      } finally {
        srv.routes.set('/openid/v1/jwks', keep);
      }
    });

    it('predicts "Couldn\'t retrieve verification key" when the public JWKS does not serve the kid', async () => {
      await world();
      const o = await predict({ token: await token({ key: await testKey('rotated-key') }) });
      expect(o).toMatchObject({ stage: 'keys', sts_response: STS_MESSAGES.verificationKey });
    });

    it('predicts the thumbprint error when the certificate matches no configured thumbprint', async () => {
      await world({ thumbprints: ['a'.repeat(40)] });
      const o = await predict({ token: await token(), tls_thumbprint: 'b'.repeat(40) });
      expect(o.sts_response).toBe("InvalidIdentityToken: OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint");
    });

    it('predicts ExpiredTokenException with STS\'s text beyond the 5-minute skew window', async () => {
      await world();
      const o = await predict({ token: await token({ exp: -400 }) });
      expect(o.sts_response).toBe(`ExpiredTokenException: Token expired: current date/time ${NOW} must be before the expiration date/time ${NOW - 400}`);
    });

    it('predicts success with an assumption for a token expired inside STS\'s 5-minute window', async () => {
      await world();
      const o = await predict({ token: await token({ exp: -30 }) });
      expect(o.outcome).toBe('success');
      expect(o.assumptions.join(' ')).toMatch(/clock-skew window/);
    });

    it('predicts success for a token without kid when the public JWKS has exactly one fitting key (verified), as an assumption', async () => {
      await world();
      const o = await predict({ token: await token({ header: { kid: undefined } }) });
      expect(o.outcome).toBe('success');
      expect(o.assumptions.join(' ')).toMatch(/without kid/);
    });

    it('predicts ValidationError for a token over 20,000 characters, before any provider lookup', async () => {
      await world({ providerUrl: 'https://elsewhere.example.com' });
      const o = await predict({ token: await token({ claims: { pad: 'x'.repeat(20000) } }) });
      expect(o).toMatchObject({ outcome: 'error', stage: 'token', exact: false });
      expect(o.sts_response).toMatch(/^ValidationError: .*Member must have length less than or equal to 20000/);
    });

    it('predicts "Incorrect token audience" when the provider lacks the aud', async () => {
      await world({ clientIds: ['other-client'] });
      const o = await predict({ token: await token() });
      expect(o.sts_response).toBe('InvalidIdentityToken: Incorrect token audience');
    });

    it('predicts "Missing a required claim: aud" for a token without aud', async () => {
      await world();
      const t = await mintToken({ key: await testKey('sa-key-1'), claims: { iss: ISS, sub: SUB } });
      seen.push(t);
      const o = await predict({ token: t });
      expect(o.sts_response).toBe('InvalidIdentityToken: Missing a required claim: aud');
    });

    it('predicts AccessDenied when the trust policy\'s sub does not match', async () => {
      await world({ sub: 'system:serviceaccount:apps:other' });
      const o = await predict({ token: await token() });
      expect(o.sts_response).toBe('AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity');
    });

    it('predicts IDPCommunicationError for an intermittently reachable IdP (offline facts)', async () => {
      const o = await predict({ token: await token(), offline: true, reachability: 'intermittent', provider_arn: PROVIDER_ARN, provider_client_ids: ['sts.amazonaws.com'] });
      expect(o).toMatchObject({ stage: 'keys', exact: false });
      expect(o.sts_response).toMatch(/^IDPCommunicationError/);
    });

    it('works fully offline, listing what it assumed', async () => {
      const o = await predict({ token: await token(), offline: true, role_name: undefined });
      expect(o.outcome).toBe('success');
      expect(o.assumptions.length).toBeGreaterThanOrEqual(3);
    });
  });

  // ── probe_assume_role ──────────────────────────────────────────────────────
  describe('probe_assume_role', () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${SA}`;

    it('refuses without confirm=true, saying what it would do', async () => {
      const r = await run('probe_assume_role', { role_arn: roleArn, token: await token() });
      expect(r).toMatchObject({ ok: false, kind: 'usage' });
      expect((r as { message: string }).message).toContain('confirm');
    });

    it('reports STS_PROBE success against moto STS and returns no credentials', async () => {
      await world();
      const r = await runOk('probe_assume_role', { role_arn: roleArn, token: await token(), confirm: true });
      expect(r.output).toMatchObject({ result: 'success', credentials_discarded: true, assumed_role_arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${SA}/jwt-triage-probe` });
      expect(typeof r.output.expiration).toBe('string');
      const all = JSON.stringify(r.output) + r.text;
      expect(all).not.toMatch(/SecretAccessKey|SessionToken|AccessKeyId|ASIA[A-Z0-9]{16}/);
      canary(r);
    });
  });
});

// STS rejections: moto's STS accepts every token, so the real error codes and messages are
// played by aws-sdk-client-mock here.
describe('probe_assume_role rejections (aws-sdk-client-mock: moto cannot reject)', () => {
  let sts: ReturnType<typeof mockClient>;
  beforeAll(() => {
    sts = mockClient(STSClient); // patches STSClient.prototype.send: only inside this block
  });
  beforeEach(() => sts.reset());
  afterAll(() => sts.restore());
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${SA}`;

  const cases: Array<[string, Error, string, string]> = [
    ['InvalidIdentityToken (verification key)', new InvalidIdentityTokenException({ message: STS_MESSAGES.verificationKey.replace('InvalidIdentityToken: ', ''), $metadata: { httpStatusCode: 400 } }), 'InvalidIdentityToken', 'verification_key'],
    ['ExpiredTokenException', new ExpiredTokenException({ message: 'Token expired: current date/time 1790000100 must be before the expiration date/time1790000000', $metadata: { httpStatusCode: 400 } }), 'ExpiredTokenException', 'expired'],
    ['AccessDenied', Object.assign(new STSServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity', $metadata: { httpStatusCode: 403 } })), 'AccessDenied', 'trust_denied'],
  ];

  it.each(cases)('reports STS_PROBE fail for %s, explained', async (_name, err, code, id) => {
    sts.on(AssumeRoleWithWebIdentityCommand).rejects(err);
    const r = await runOk('probe_assume_role', { role_arn: roleArn, token: await token(), confirm: true });
    expect(r.output).toMatchObject({ result: 'rejected', error_code: code, case: id, credentials_discarded: true });
    expect(codes(r.output)).toEqual(['STS_PROBE']);
    canary(r);
  });
});
