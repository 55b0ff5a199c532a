/**
 * diagnose_rejection with its AWS presets, against a real moto server (SSM, ELBv2 with
 * jwt-validation rules, IAM) and a loopback HTTPS issuer.
 */
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, runOk } from '../helpers/ctx.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { buildOpencodeWorld } from '../helpers/opencode-world.js';
import { jwksOf, mintToken, testKey } from '../helpers/tokens.js';

const ready = need('openssl') && need('moto_server');
const CLI_CLIENT = '5r2kq8vd1mh3cliclient0001';

describe.skipIf(!ready)('diagnose_rejection presets against moto', () => {
  let moto: Moto;
  let srv: TestHttpsServer;
  let issuer: string;
  const http = () => ({ http: { ca: srv.caCert } });
  const root = (out: Record<string, unknown>) => (out.root_cause as { code: string } | undefined)?.code;

  beforeAll(async () => {
    moto = (await useMoto())!;
    Object.assign(process.env, motoEnv(moto.endpoint));
    srv = await startHttpsServer();
    issuer = `${srv.origin}/us-east-1_POOL`;
    const key = await testKey('pool-key');
    srv.routes.set('/us-east-1_POOL/.well-known/openid-configuration', {
      json: { issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] },
    });
    srv.routes.set('/us-east-1_POOL/.well-known/jwks.json', { json: jwksOf(key) });
  });
  afterAll(async () => {
    await srv?.close();
    await moto?.stop();
  });

  describe('preset opencode', () => {
    const idToken = async (claims: Record<string, unknown> = {}) =>
      mintToken({ key: await testKey('pool-key'), claims: { iss: issuer, aud: CLI_CLIENT, sub: 'u1', token_use: 'id', ...claims } });

    it('passes a good ID token, taking the expectations from the live ALB rule', async () => {
      await moto.reset();
      await buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, cliClientId: CLI_CLIENT });
      const r = await runOk('diagnose_rejection', { token: await idToken(), preset: 'opencode', env: 'dev' }, http());
      expect(r.output.verdict, r.text).toBe('pass');
      expect((r.output.expectations as { from: string }).from).toMatch(/live ALB rule 5/);
      expect((r.output.expectations as { aud: string }).aud).toBe(CLI_CLIENT);
    });

    it('names ALB_JWT_CONFIG_MISMATCH as the root cause when the ALB holds a stale issuer', async () => {
      await moto.reset();
      await buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, cliClientId: CLI_CLIENT, break: { albIssuer: `${srv.origin}/us-east-1_OLDPOOL` } });
      const r = await runOk('diagnose_rejection', { token: await idToken(), preset: 'opencode', env: 'dev' }, http());
      expect(root(r.output), r.text).toBe('ALB_JWT_CONFIG_MISMATCH');
      expect(codes(r.output)).toContain('TOKEN_ISSUER_MISMATCH');
      expect(r.text).toContain('npx cdk context --clear');
    });

    it('names TOKEN_WRONG_TYPE for a Cognito access token', async () => {
      await moto.reset();
      await buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, cliClientId: CLI_CLIENT });
      const access = await mintToken({ key: await testKey('pool-key'), claims: { iss: issuer, sub: 'u1', client_id: CLI_CLIENT, token_use: 'access', scope: 'openid' } });
      const r = await runOk('diagnose_rejection', { token: access, preset: 'opencode', env: 'dev' }, http());
      expect(root(r.output), r.text).toBe('TOKEN_WRONG_TYPE');
    });

    it('goes on with the inputs, and says so, when SSM is empty (wrong environment)', async () => {
      await moto.reset();
      const r = await runOk('diagnose_rejection', { token: await idToken(), preset: 'opencode', env: 'prod', expected_audience: CLI_CLIENT }, http());
      expect((r.output.expectations as { from: string }).from).toMatch(/inputs/);
      expect((r.output.expectations as { aud: string }).aud).toBe(CLI_CLIENT);
    });
  });

  describe('preset sts', () => {
    const SUB = 'system:serviceaccount:apps:uploader';
    const saToken = async () => mintToken({ key: await testKey('pool-key'), claims: { iss: issuer, aud: ['sts.amazonaws.com'], sub: SUB } });
    async function iamWorld(o: { providerUrl?: string; sub?: string }) {
      await moto.reset();
      const host = issuer.replace('https://', '');
      const iam = new IAMClient({});
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: o.providerUrl ?? issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [] }));
      const trust = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${host}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${host}:sub`]: o.sub ?? SUB, [`${host}:aud`]: 'sts.amazonaws.com' } } }],
      };
      await iam.send(new CreateRoleCommand({ RoleName: 'uploader', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    }
    const roleArn = 'arn:aws:iam::123456789012:role/uploader';

    it('passes when the provider and the trust policy admit the token', async () => {
      await iamWorld({});
      const r = await runOk('diagnose_rejection', { token: await saToken(), preset: 'sts', role_arn: roleArn }, http());
      expect(r.output.verdict, r.text).toBe('pass');
      expect((r.output.sections as Array<{ label: string }>).map((s) => s.label)).toEqual(expect.arrayContaining(['Provider', 'Trust policy', 'Public discovery', 'STS answer']));
    });

    it('names TRUST_CONDITION_SUB_MISMATCH when the trust policy names another service account', async () => {
      await iamWorld({ sub: 'system:serviceaccount:apps:downloader' });
      const r = await runOk('diagnose_rejection', { token: await saToken(), preset: 'sts', role_arn: roleArn }, http());
      expect(root(r.output), r.text).toBe('TRUST_CONDITION_SUB_MISMATCH');
    });

    it('names IAM_OIDC_PROVIDER_MISSING when the provider URL has a trailing slash the issuer lacks', async () => {
      await iamWorld({ providerUrl: `${issuer}/` });
      const r = await runOk('diagnose_rejection', { token: await saToken(), preset: 'sts', role_arn: roleArn }, http());
      expect(root(r.output), r.text).toBe('IAM_OIDC_PROVIDER_MISSING');
    });
  });
});
