/**
 * The diagnosis on broken worlds built with the real backends: moto (SSM, ELBv2 with
 * jwt-validation rules, DynamoDB, IAM), a loopback HTTPS issuer, and the real kubectl against
 * the kube API stand-in. Each world plants one fault; the diagnosis must name it as the root
 * cause (and nothing on a healthy world). Where a single-purpose tool judges the same fact,
 * the test runs it on the same world and both must agree.
 */
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, runOk } from '../helpers/ctx.js';
import { blackHole, liveAndReplay, root, section } from '../helpers/diagnose-world.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { startKubeStandin, type KubeStandin } from '../helpers/kube-standin.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { buildOpencodeWorld, type WorldBreak } from '../helpers/opencode-world.js';
import { routerLine, seedApiKeys, seedRouterLogs } from '../helpers/opencode-world-data.js';
import { jwksOf, mintToken, NOW_DATE, testKey } from '../helpers/tokens.js';

const ready = need('openssl') && need('moto_server') && need('kubectl');
const CLI_CLIENT = '5r2kq8vd1mh3cliclient0001';
describe.skipIf(!ready)('diagnose on broken worlds', () => {
  let moto: Moto;
  let srv: TestHttpsServer;
  let issuer: string;
  const http = () => ({ http: { ca: srv.caCert } });

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
    // The pool the ALB still points at after a redeploy of the auth stack: another key.
    srv.routes.set('/us-east-1_OLDPOOL/.well-known/jwks.json', { json: jwksOf(await testKey('old-pool-key')) });
  });
  afterAll(async () => {
    await srv?.close();
    await moto?.stop();
  });

  describe('preset opencode', () => {
    const idToken = async (claims: Record<string, unknown> = {}, times: { exp?: number; iat?: number } = {}) =>
      mintToken({ key: await testKey('pool-key'), claims: { iss: issuer, aud: CLI_CLIENT, sub: 'u1', token_use: 'id', ...claims }, ...times });
    const world = async (brk: WorldBreak = {}) => {
      await moto.reset();
      return buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, cliClientId: CLI_CLIENT, break: brk });
    };
    const planted: string[] = [];
    const diagnose = (input: Record<string, unknown>) =>
      input.deadline_seconds !== undefined
        ? runOk('diagnose_rejection', { preset: 'opencode', env: 'dev', ...input }, http())
        : liveAndReplay({ preset: 'opencode', env: 'dev', ...input }, http(), [...planted, String(input.token ?? '')]);

    it('names nothing on a healthy world, and every section says what holds', async () => {
      await world();
      const r = await diagnose({ token: await idToken() });
      expect(root(r.output), r.text).toBeNull();
      expect(r.verdict).toBe('pass');
      for (const label of ['Token status', 'Issuer match', 'Audience match', 'JWKS endpoint', 'ALB rules', 'ALB config', 'SSM parameters', 'Request']) {
        expect(section(r.output, label)?.status, `${label}: ${r.text}`).toBe('pass');
      }
      expect(section(r.output, 'Request')?.line).toMatch(/→ forward/);
      expect(section(r.output, 'API key')?.status).toBe('skip');
    });

    it('names ALB_RULE_MISSING (not the jwt config it took with it) when rule 5 is deleted; describe_listener_rules agrees', async () => {
      await world({ rules: (chain) => chain.filter((r) => r.priority !== 5) });
      const r = await diagnose({ token: await idToken() });
      expect(root(r.output), r.text).toBe('ALB_RULE_MISSING');
      const tool = await runOk('describe_listener_rules', { env: 'dev' });
      expect(codes(tool.output)).toContain('ALB_RULE_MISSING');
    });

    it('names SSM_PARAMETER_MISSING when oidc/cli-client-id is deleted; check_alb_jwt_config agrees', async () => {
      await world({ omitParameters: ['oidc/cli-client-id'] });
      const r = await diagnose({ token: await idToken() });
      expect(root(r.output), r.text).toBe('SSM_PARAMETER_MISSING');
      expect(r.text).toContain('./scripts/deploy.sh auth');
      const tool = await runOk('check_alb_jwt_config', { env: 'dev' });
      expect(codes(tool.output)).toContain('SSM_PARAMETER_MISSING');
    });

    it('names ALB_LISTENER_NOT_FOUND with the redeploy fix when SSM points at a listener that does not exist; the tool agrees', async () => {
      await world({ listenerArnParameter: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/opencode-jwt-dev/0123456789abcdef/0123456789abcdef' });
      const r = await diagnose({ token: await idToken() });
      expect(root(r.output), r.text).toBe('ALB_LISTENER_NOT_FOUND');
      expect(r.text).toContain('./scripts/deploy.sh api');
      const tool = await runOk('check_alb_jwt_config', { env: 'dev' });
      expect(codes(tool.output)).toContain('ALB_LISTENER_NOT_FOUND');
    });

    it('names the stale ALB config, not the kid its old JWKS lacks', async () => {
      await world({ albIssuer: `${srv.origin}/us-east-1_OLDPOOL`, albJwksUrl: `${srv.origin}/us-east-1_OLDPOOL/.well-known/jwks.json` });
      const r = await diagnose({ token: await idToken() });
      expect(root(r.output), r.text).toBe('ALB_JWT_CONFIG_MISMATCH');
      expect(codes(r.output)).toEqual(expect.arrayContaining(['JWKS_KID_NOT_FOUND']));
    });

    it('names TOKEN_AUDIENCE_MISMATCH for a token minted for the ALB client', async () => {
      await world();
      const r = await diagnose({ token: await idToken({ aud: 'the-alb-client' }) });
      expect(root(r.output), r.text).toBe('TOKEN_AUDIENCE_MISMATCH');
      expect(section(r.output, 'Request')).toMatchObject({ status: 'fail', code: 'ALB_REQUEST_REJECTED' });
      expect(r.text).toMatch(/Request +✗ POST \/v1\/chat\/completions → 401 from rule 5/);
      // The context an assistant pays for one typical failure over MCP (structuredContent + text): ≤ 4,000
      // characters (issue #10), with nothing said twice: the root cause is not repeated in findings.
      const { snapshot: _s, ...structured } = r.output;
      expect(JSON.stringify(structured).length + r.text.length).toBeLessThanOrEqual(4000);
      expect((r.output.findings as Array<{ code: string }>).map((f) => f.code)).not.toContain('TOKEN_AUDIENCE_MISMATCH');
    });

    it('names the expired Bearer JWT even when the API key it shadows is valid, and lists the shadowing', async () => {
      await world();
      const keys = await seedApiKeys(moto.endpoint, { env: 'dev', now: NOW_DATE });
      process.env.OC_KEY_ACTIVE = keys.active;
      planted.push(keys.active);
      const r = await diagnose({ token: await idToken({}, { iat: -7200, exp: -1800 }), api_key_env: 'OC_KEY_ACTIVE' });
      expect(root(r.output), r.text).toBe('TOKEN_EXPIRED');
      expect(codes(r.output, 'warn')).toContain('API_KEY_SHADOWED_BY_BEARER');
      expect(r.text).not.toContain(keys.active);
      expect(JSON.stringify(r.output)).not.toContain(keys.active);
    });

    describe('with an API key only', () => {
      let keys: Awaited<ReturnType<typeof seedApiKeys>>;
      beforeAll(async () => {
        await world();
        keys = await seedApiKeys(moto.endpoint, { env: 'dev', now: NOW_DATE });
      });
      const withKey = async (value: string) => {
        process.env.OC_KEY_UNDER_TEST = value;
        planted.push(value);
        return diagnose({ api_key_env: 'OC_KEY_UNDER_TEST' });
      };
      it('passes an active key', async () => {
        const r = await withKey(keys.active);
        expect(root(r.output), r.text).toBeNull();
        expect(section(r.output, 'Request')?.line).toMatch(/X-API-Key → forward/);
      });
      it.each([
        ['revoked', 'API_KEY_REVOKED'],
        ['expired', 'API_KEY_EXPIRED'],
        ['unknown', 'API_KEY_UNKNOWN'],
      ] as const)('names the %s key', async (which, code) => {
        const r = await withKey(keys[which]);
        expect(root(r.output), r.text).toBe(code);
        const tool = await runOk('check_api_key', { api_key_env: 'OC_KEY_UNDER_TEST', env: 'dev' });
        expect(codes(tool.output)).toContain(code);
      });
      it('names API_KEY_BAD_PREFIX (the 403 default action) for a key without oc_', async () => {
        const r = await withKey('sk-live-0123456789abcdefghijklmnopqrstuvwxyz');
        expect(root(r.output), r.text).toBe('API_KEY_BAD_PREFIX');
        expect(codes(r.output)).toContain('ALB_REQUEST_REJECTED');
        expect(r.text).toMatch(/403/);
      });
    });

    it('reads the router logs of the last minutes as evidence: a failure there warns, never becomes the root cause', async () => {
      await world();
      // CloudWatch (and moto) refuse events older than 14 days: this world runs at the real clock.
      const real = new Date();
      const at = (minAgo: number) => real.getTime() - minAgo * 60_000;
      const shift = Math.floor((real.getTime() - NOW_DATE.getTime()) / 1000);
      await seedRouterLogs(moto.endpoint, { env: 'dev', lines: [
        [at(3), routerLine(new Date(at(3)), 'DynamoDB lookup failed', { error: 'ResourceNotFoundException' }, 'ERROR')],
        [at(2), routerLine(new Date(at(2)), 'Request completed', { status: 500, auth_source: 'api_key', request_id: 'r-1' })],
        [at(90), routerLine(new Date(at(90)), 'Request completed', { status: 500, request_id: 'r-old' })],
      ] });
      const r = await diagnose({ token: await idToken({}, { iat: shift, exp: shift + 3600 }), now: real.toISOString() });
      expect(root(r.output), r.text).toBeNull();
      expect(section(r.output, 'Router logs')?.status, r.text).toBe('warn');
      expect(section(r.output, 'Router logs')?.code).toBe('LOGS_ERRORS_FOUND');
      expect(r.text).toMatch(/Router logs +! .*router logged failures/i);
      expect(codes(r.output, 'warn')).toContain('LOGS_ERRORS_FOUND');
      const none = await runOk('diagnose_rejection', { preset: 'opencode', env: 'dev', token: await idToken({}, { iat: shift, exp: shift + 3600 }), now: real.toISOString(), log_minutes: 0 }, http());
      expect(section(none.output, 'Router logs')).toBeUndefined();
    });

    it('explains the default 403 when neither a token nor an API key is sent', async () => {
      await world();
      const r = await diagnose({});
      expect(root(r.output), r.text).toBe('ALB_REQUEST_REJECTED');
      expect(r.text).toMatch(/403, not 401/);
    });

    it('ends a diagnosis against a black-hole AWS endpoint within its deadline, with a classified finding', async () => {
      const hole = await blackHole();
      const before = process.env.AWS_ENDPOINT_URL;
      process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${hole.port}`;
      try {
        const started = Date.now();
        const r = await diagnose({ token: await idToken(), deadline_seconds: 2 });
        const ms = Date.now() - started;
        expect(ms).toBeLessThan(2000 + 1500); // the deadline plus the grace for cancelled calls, with CI headroom
        expect(codes(r.output, 'error')).toContain('DIAGNOSIS_DEADLINE');
        expect(r.verdict).not.toBe('pass');
        expect(r.output.timed_out).toEqual(expect.arrayContaining(['ALB config']));
      } finally {
        process.env.AWS_ENDPOINT_URL = before;
        await hole.close();
      }
    });
  });

  describe('preset web-identity', () => {
    const SUB = 'system:serviceaccount:apps:uploader';
    const LABELS = { 'app.kubernetes.io/component': 'oidc-proxy' };
    let kube: KubeStandin;
    let pub: string;
    const roleArn = 'arn:aws:iam::123456789012:role/uploader';
    const slog = (fields: Record<string, unknown>, sec = 0) => JSON.stringify({ time: new Date(Date.UTC(2026, 8, 21, 9, 0, sec)).toISOString(), level: 'ERROR', msg: 'x', ...fields });

    beforeAll(async () => {
      pub = `${srv.origin}/bridge`;
      kube = await startKubeStandin({ issuer: pub, jwks: jwksOf(await testKey('sa-key')) });
    });
    afterAll(() => kube?.close());

    /** IAM provider + role in moto, the bridge's public documents, the cluster, the bridge pod. */
    async function wiWorld(o: { stringEquals?: Record<string, string>; publicKeys?: string[]; discoveryStatus?: number; logs?: string[] } = {}) {
      await moto.reset();
      const host = pub.replace('https://', '');
      const iam = new IAMClient({});
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: pub, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [] }));
      const trust = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${host}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: o.stringEquals ?? { [`${host}:sub`]: SUB, [`${host}:aud`]: 'sts.amazonaws.com' } } }],
      };
      await iam.send(new CreateRoleCommand({ RoleName: 'uploader', AssumeRolePolicyDocument: JSON.stringify(trust) }));
      const discovery = { issuer: pub, jwks_uri: `${pub}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] };
      srv.routes.set('/bridge/.well-known/openid-configuration', o.discoveryStatus ? { status: o.discoveryStatus, body: 'jwks not ready' } : { json: discovery });
      srv.routes.set('/bridge/openid/v1/jwks', { json: jwksOf(...(await Promise.all((o.publicKeys ?? ['sa-key']).map((k) => testKey(k))))) });
      kube.world.jwks = jwksOf(await testKey('sa-key'));
      kube.world.pods = [{ name: 'oidc-bridge-1', namespace: 'oidc', labels: LABELS, logs: o.logs ?? [slog({ level: 'INFO', event: 'issuer_host_verified' })] }];
      kube.world.deployments = [{ name: 'oidc-bridge', namespace: 'oidc', labels: LABELS, env: { ISSUER_URL: 'https://oidc.tail1234.ts.net', TS_HOSTNAME: 'oidc', TS_STATE_SECRET: 'tailscale-state', TS_API_CLIENT_ID: 'id', TS_API_CLIENT_SECRET: { secretKeyRef: { name: 'ts-oauth', key: 'client-secret' } }, TS_TAG: 'tag:oidc' } }];
    }
    const saToken = async () => mintToken({ key: await testKey('sa-key'), claims: { iss: pub, aud: ['sts.amazonaws.com'], sub: SUB } });
    const diagnose = async (input: Record<string, unknown> = {}) => {
      const full = { token: await saToken(), preset: 'web-identity', role_arn: roleArn, service_account: 'apps:uploader', kubeconfig: kube.kubeconfig, kube_context: kube.context, ...input };
      return input.deadline_seconds !== undefined ? runOk('diagnose_rejection', full, http()) : liveAndReplay(full, http(), [String(full.token), kube.token]);
    };

    it('names nothing on a healthy world and predicts success', async () => {
      await wiWorld();
      const r = await diagnose();
      expect(root(r.output), r.text).toBeNull();
      expect(section(r.output, 'STS answer')?.line).toMatch(/Success/);
      expect(section(r.output, 'Cluster JWKS')?.status).toBe('pass');
    });

    it('names JWKS_PUBLIC_CLUSTER_DRIFT, not JWKS_KID_NOT_FOUND, when the cluster signs with a key the bridge does not publish', async () => {
      await wiWorld({ publicKeys: ['old-sa-key'] });
      const r = await diagnose();
      expect(root(r.output), r.text).toBe('JWKS_PUBLIC_CLUSTER_DRIFT');
      expect(codes(r.output)).toContain('JWKS_KID_NOT_FOUND');
    });

    it('names TRUST_WILDCARD_IN_STRINGEQUALS, not the sub mismatch it causes; check_role_trust agrees', async () => {
      const host = pub.replace('https://', '');
      await wiWorld({ stringEquals: { [`${host}:sub`]: 'system:serviceaccount:apps:*', [`${host}:aud`]: 'sts.amazonaws.com' } });
      const r = await diagnose();
      expect(root(r.output), r.text).toBe('TRUST_WILDCARD_IN_STRINGEQUALS');
      const tool = await runOk('check_role_trust', { token: await saToken(), role_arn: roleArn });
      expect(codes(tool.output)).toContain('TRUST_WILDCARD_IN_STRINGEQUALS');
    });

    it('names an unreachable discovery document as a failure (exit 1), since STS fetches it itself', async () => {
      await wiWorld({ discoveryStatus: 503 });
      const r = await diagnose({ kubeconfig: undefined, kube_context: undefined });
      expect(root(r.output), r.text).toBe('DISCOVERY_UNREACHABLE');
      expect(r.verdict).toBe('fail');
      expect(r.output.likely).toBeUndefined();
    });

    it('names BRIDGE_FUNNEL_NOT_PERMITTED as the cause of the unreachable discovery document', async () => {
      await wiWorld({ discoveryStatus: 503, logs: [2, 3, 4, 5].map((s) => slog({ component: 'tsnet_runner', event: 'public_listener_failure', error_kind: 'operation_failed' }, s)) });
      const r = await diagnose({ bridge_namespace: 'oidc' });
      expect(root(r.output), r.text).toBe('BRIDGE_FUNNEL_NOT_PERMITTED');
      expect(codes(r.output)).toContain('DISCOVERY_UNREACHABLE');
    });

    it('names BRIDGE_ISSUER_HOST_MISMATCH when the certificate does not cover the issuer host', async () => {
      await wiWorld({ discoveryStatus: 503, logs: [slog({ component: 'tsnet_runner', event: 'issuer_host_mismatch', expected_host: 'oidc.tail1234.ts.net', cert_domains: ['bridge.tail1234.ts.net'] })] });
      const r = await diagnose({ bridge_namespace: 'oidc' });
      expect(root(r.output), r.text).toBe('BRIDGE_ISSUER_HOST_MISMATCH');
    });

    it('classifies a hanging issuer within the deadline', async () => {
      await wiWorld();
      srv.routes.set('/bridge/.well-known/openid-configuration', { hang: true });
      const started = Date.now();
      const r = await diagnose({ deadline_seconds: 2 });
      expect(Date.now() - started).toBeLessThan(3500);
      // Cancelled by the deadline: could-not-check, never a claim that STS would fail (it waits ~5 s).
      expect(section(r.output, 'Public discovery')?.status, r.text).toBe('error');
      expect(codes(r.output, 'error')).toContain('DISCOVERY_UNREACHABLE');
      expect(codes(r.output)).not.toContain('DISCOVERY_UNREACHABLE');
    });

    it('classifies a hanging Kubernetes API within the deadline', async () => {
      await wiWorld();
      const hole = await blackHole();
      try {
        const started = Date.now();
        const r = await diagnose({ kubeconfig: kube.kubeconfigWith({ server: `https://127.0.0.1:${hole.port}` }), deadline_seconds: 2 });
        expect(Date.now() - started).toBeLessThan(3500);
        expect(section(r.output, 'Cluster JWKS')?.status, r.text).toBe('error');
        // The other sections still answered.
        expect(section(r.output, 'Trust policy')?.status).toBe('pass');
      } finally {
        await hole.close();
      }
    });

    it('says what was not run with --offline instead of claiming it checks out', async () => {
      await wiWorld();
      const r = await diagnose({ offline: true });
      expect(section(r.output, 'Public discovery')?.status).toBe('skip');
      expect(codes(r.output, 'skip')).toEqual([]); // skips live in sections, not in findings
      expect(r.output.summary).toMatch(/not checked: .*Public discovery/);
    });
  });
});
