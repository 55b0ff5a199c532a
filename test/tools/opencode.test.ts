/**
 * The OpenCode tools against a real moto server (SSM + ELBv2 with jwt-validation rules) and a
 * loopback HTTPS JWKS. AccessDenied and throttling cannot be produced by moto: those cases use
 * aws-sdk-client-mock, said at each test.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { generateKeyPair } from 'jose';
import { DescribeListenersCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useMoto, motoEnv, type Moto } from '../helpers/moto.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { jwksOf, mintToken, testKey } from '../helpers/tokens.js';
import { codes, run, runOk } from '../helpers/ctx.js';
import { buildOpencodeWorld, type WorldOptions } from '../helpers/opencode-world.js';

const moto: Moto | undefined = await useMoto();

const CLI_CLIENT = '7cliclient0000000000000000';
const SECURE_CANARY = 'CANARY-securestring-9f8e7d';
const OIDC_SECRET_CANARY = 'CANARY-oidc-client-secret-1a2b';

let srv: TestHttpsServer;
let issuer: string;
let jwksUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'opencode-tools-'));
const savedEnv = { ...process.env };

function tokenFile(name: string, value: string): string {
  const p = join(dir, name);
  writeFileSync(p, value);
  return p;
}

const idClaims = () => ({ iss: issuer, aud: CLI_CLIENT, sub: 'user-1', token_use: 'id', email: 'dev@example.com' });

describe.skipIf(!moto)('opencode tools against moto', () => {
  const opts = () => ({ http: { ca: srv.caCert } });
  const world = (extra: Partial<WorldOptions> = {}) => buildOpencodeWorld(moto!.endpoint, { issuer, jwksUrl, cliClientId: CLI_CLIENT, secureValue: SECURE_CANARY, ...extra });

  beforeAll(async () => {
    Object.assign(process.env, motoEnv(moto!.endpoint));
    delete process.env.AWS_PROFILE;
    delete process.env.ENVIRONMENT;
    const key = await testKey();
    srv = await startHttpsServer({ '/jwks.json': { json: jwksOf(key) } });
    issuer = `${srv.origin}/us-east-1_Abc123XyZ`;
    jwksUrl = `${srv.origin}/jwks.json`;
  });
  afterAll(async () => {
    await srv?.close();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto!.reset();
    srv.routes.set('/jwks.json', { json: jwksOf(await testKey()) });
  });

  describe('get_ssm_parameters', () => {
    it('reports SSM_PARAMETER_MISSING pass when the expected set exists, pages through the path, and says which source named the env', async () => {
      await world();
      const r = await runOk('get_ssm_parameters', { env: 'dev' });
      expect(r.verdict).toBe('pass');
      expect(codes(r.output, 'pass')).toContain('SSM_PARAMETER_MISSING');
      const params = r.output.parameters as Array<{ name: string; value?: string; type: string }>;
      expect(params.find((p) => p.name === '/opencode/dev/oidc/issuer')?.value).toBe(issuer);
      expect(params.length).toBe(16);
      expect(r.output.pages).toBeGreaterThanOrEqual(2); // MaxResults 10 per page
      expect(r.output.environment).toEqual({ name: 'dev', source: 'input' });
    });

    it('reports SSM_PARAMETER_MISSING per stack with the redeploy command', async () => {
      await world({ break: { omitParameters: ['oidc/issuer', 'oidc/cli-client-id', 'ecs/task-definition-arn'] } });
      const r = await runOk('get_ssm_parameters', { env: 'dev' });
      const missing = (r.output.findings as Array<{ code: string; status: string; evidence: { stack: string; missing: string[] }; fix: string }>).filter((f) => f.code === 'SSM_PARAMETER_MISSING' && f.status === 'fail');
      expect(missing.map((f) => f.evidence.stack).sort()).toEqual(['api', 'auth']);
      const auth = missing.find((f) => f.evidence.stack === 'auth')!;
      expect(auth.evidence.missing).toEqual(['/opencode/dev/oidc/issuer', '/opencode/dev/oidc/cli-client-id']);
      expect(auth.fix).toContain('./scripts/deploy.sh auth');
      expect(missing.find((f) => f.evidence.stack === 'api')!.fix).toContain('./scripts/deploy.sh api');
      expect(r.output.missing).toHaveLength(3);
    });

    it('reports SSM_PARAMETER_MISSING with a wrong-environment hint when nothing exists for the env from ENVIRONMENT', async () => {
      await world();
      const r = await runOk('get_ssm_parameters', {}, { env: { ...process.env, ENVIRONMENT: 'prod' } });
      expect(r.output.environment).toEqual({ name: 'prod', source: 'ENVIRONMENT' });
      const f = (r.output.findings as Array<{ code: string; status: string; detail: string }>).find((x) => x.code === 'SSM_PARAMETER_MISSING' && x.status === 'fail')!;
      expect(f.detail).toMatch(/environment name "prod" \(from ENVIRONMENT\) may be wrong/);
    });

    it('never shows a SecureString value, by path or by name, in text or structured output', async () => {
      await world();
      for (const input of [{ env: 'dev' }, { env: 'dev', names: ['oidc/alb-client-secret', 'oidc/issuer'] }]) {
        const r = await runOk('get_ssm_parameters', input);
        expect(r.text).not.toContain(SECURE_CANARY);
        expect(JSON.stringify(r.output)).not.toContain(SECURE_CANARY);
        expect(JSON.stringify(r.output)).not.toContain('kms:alias');
        const p = (r.output.parameters as Array<{ name: string; type: string; value?: string; version?: number }>).find((x) => x.name.endsWith('alb-client-secret'))!;
        expect(p.type).toBe('SecureString');
        expect(p.value).toBeUndefined();
        expect(p.version).toBe(1);
        expect(r.text).toContain('SecureString: value not read');
      }
    });

    it('reports SSM_PARAMETER_MISSING for named parameters that do not exist', async () => {
      await world();
      const r = await runOk('get_ssm_parameters', { env: 'dev', names: ['oidc/issuer', 'alb/jwt/nope'] });
      expect(r.output.missing).toEqual(['/opencode/dev/alb/jwt/nope']);
      expect(codes(r.output)).toEqual(['SSM_PARAMETER_MISSING']);
    });
  });

  describe('describe_listener_rules', () => {
    it('lists every rule with all conditions and actions sorted by Order, and passes the real chain', async () => {
      const w = await world();
      const r = await runOk('describe_listener_rules', { env: 'dev' });
      expect(r.verdict).toBe('pass');
      expect(r.output.listener_arn).toBe(w.listenerArn);
      expect(r.output.listener_arn_source).toBe('ssm');
      const rules = r.output.rules as Array<{ priority: string; conditions: Array<{ field: string; header_name?: string; values: string[] }>; actions: Array<{ type: string; order?: number; jwt_validation?: { issuer: string } }> }>;
      expect(rules.map((x) => x.priority)).toEqual(['1', '2', '3', '5', '10', 'default']);
      const r3 = rules.find((x) => x.priority === '3')!;
      expect(r3.conditions).toEqual([{ field: 'path-pattern', values: ['/v1/api-keys*'] }, { field: 'http-header', header_name: 'Authorization', values: ['Bearer*'] }]);
      // created forward-first; Order puts jwt-validation first
      expect(rules.find((x) => x.priority === '5')!.actions.map((a) => a.type)).toEqual(['jwt-validation', 'forward']);
      expect(rules.find((x) => x.priority === '5')!.actions[0]!.jwt_validation!.issuer).toBe(issuer);
      for (const code of ['ALB_RULE_MISSING', 'ALB_RULE_MISORDERED', 'ALB_RULE_UNEXPECTED', 'ALB_DEFAULT_ACTION_CHANGED']) expect(codes(r.output, 'pass')).toContain(code);
    });

    it('reports ALB_RULE_MISSING when rule 10 is gone', async () => {
      await world({ break: { rules: (c) => c.filter((x) => x.priority !== 10) } });
      const r = await runOk('describe_listener_rules', { env: 'dev' });
      expect(codes(r.output)).toEqual(['ALB_RULE_MISSING']);
      expect(r.output.summary).toMatch(/API key passthrough \(priority 10\) is missing/);
    });

    it('reports ALB_RULE_MISORDERED when the API-key rule sits before the Bearer rule', async () => {
      await world({ break: { rules: (c) => c.map((x) => (x.priority === 10 ? { ...x, priority: 4 } : x)) } });
      const r = await runOk('describe_listener_rules', { env: 'dev' });
      expect(codes(r.output)).toEqual(['ALB_RULE_MISORDERED']);
      const f = (r.output.findings as Array<{ code: string; evidence: Record<string, unknown> }>).find((x) => x.code === 'ALB_RULE_MISORDERED')!;
      expect(f.evidence).toMatchObject({ expected_priority: 10, found_priority: 4 });
    });

    it('reports ALB_RULE_UNEXPECTED for an extra authenticate-oidc rule and never shows its ClientSecret', async () => {
      await world({
        break: {
          rules: (c, { targetGroupArn }) => [...c, {
            priority: 7,
            conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } }],
            actions: [
              { Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { Issuer: issuer, AuthorizationEndpoint: `${issuer}/a`, TokenEndpoint: `${issuer}/t`, UserInfoEndpoint: `${issuer}/u`, ClientId: 'albclient', ClientSecret: OIDC_SECRET_CANARY } },
              { Type: 'forward', Order: 2, TargetGroupArn: targetGroupArn },
            ],
          }],
        },
      });
      const r = await runOk('describe_listener_rules', { env: 'dev' });
      expect(codes(r.output, 'warn')).toEqual(['ALB_RULE_UNEXPECTED']);
      expect(JSON.stringify(r.output)).not.toContain(OIDC_SECRET_CANARY);
      expect(r.text).not.toContain(OIDC_SECRET_CANARY);
      const seven = (r.output.rules as Array<{ priority: string; actions: Array<{ type: string; authenticate?: { client_id?: string } }> }>).find((x) => x.priority === '7')!;
      expect(seven.actions[0]).toMatchObject({ type: 'authenticate-oidc', authenticate: { client_id: 'albclient' } });
    });

    it('reports ALB_DEFAULT_ACTION_CHANGED when the default answers 401', async () => {
      await world({ break: { defaultAction: { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '401', ContentType: 'text/plain', MessageBody: 'Unauthorized' } } } });
      const r = await runOk('describe_listener_rules', { env: 'dev' });
      expect(codes(r.output)).toEqual(['ALB_DEFAULT_ACTION_CHANGED']);
    });

    it('reports ALB_LISTENER_NOT_FOUND when SSM names a listener that does not exist', async () => {
      const w = await world();
      const gone = w.listenerArn.replace(/\/[0-9a-f]+$/, '/0123456789abcdef');
      await buildOpencodeWorld(moto!.endpoint, { issuer, jwksUrl, cliClientId: CLI_CLIENT, env: 'stale', break: { listenerArnParameter: gone } });
      const r = await runOk('describe_listener_rules', { env: 'stale', listener_arn: gone });
      expect(codes(r.output)).toEqual(['ALB_LISTENER_NOT_FOUND']);
      const viaSsm = await runOk('describe_listener_rules', { env: 'stale' });
      const f = (viaSsm.output.findings as Array<{ code: string; fix: string }>).find((x) => x.code === 'ALB_LISTENER_NOT_FOUND')!;
      expect(f.fix).toContain('./scripts/deploy.sh api');
    });
  });

  describe('check_alb_jwt_config', () => {
    it('passes when the ALB matches SSM, the JWKS is within limits and the ID token is accepted', async () => {
      await world();
      const tf = tokenFile('id.jwt', await mintToken({ claims: idClaims() }));
      const r = await runOk('check_alb_jwt_config', { env: 'dev', token_file: tf }, opts());
      expect(r.verdict).toBe('pass');
      expect(codes(r.output, 'pass')).toEqual(expect.arrayContaining(['ALB_JWT_CONFIG_MISMATCH', 'JWKS_CONSUMER_LIMIT', 'SIGNATURE_INVALID', 'TOKEN_ISSUER_MISMATCH', 'TOKEN_AUDIENCE_MISMATCH']));
      expect(r.output.jwks).toMatchObject({ url: jwksUrl, key_count: 1 });
    });

    it('reports ALB_JWT_CONFIG_MISMATCH for a stale issuer with the cdk context fix, and says the token agrees with SSM', async () => {
      const stale = `${srv.origin}/us-east-1_OLDPOOL`;
      await world({ break: { albIssuer: stale } });
      const tf = tokenFile('id2.jwt', await mintToken({ claims: idClaims() }));
      const r = await runOk('check_alb_jwt_config', { env: 'dev', token_file: tf }, opts());
      const f = (r.output.findings as Array<{ code: string; status: string; fix?: string; detail: string }>).filter((x) => x.code === 'ALB_JWT_CONFIG_MISMATCH' && x.status === 'fail');
      expect(f).toHaveLength(2); // rules 3 and 5
      expect(f[0]!.fix).toContain('npx cdk context --clear');
      expect(f[0]!.fix).toContain('./scripts/deploy.sh api');
      expect(f[0]!.detail).toMatch(/Issuer/);
      const tok = (r.output.findings as Array<{ code: string; status: string; detail: string }>).find((x) => x.code === 'TOKEN_ISSUER_MISMATCH')!;
      expect(tok.status).toBe('fail');
      expect(tok.detail).toContain('the ALB holds a stale value');
    });

    it('reports ALB_JWT_CONFIG_MISMATCH when the aud claim holds an old CLI client id', async () => {
      await world({ break: { albClientId: '7cliclient0000000000000OLD' } });
      const r = await runOk('check_alb_jwt_config', { env: 'dev', check_jwks: false }, opts());
      expect(codes(r.output)).toEqual(['ALB_JWT_CONFIG_MISMATCH', 'ALB_JWT_CONFIG_MISMATCH']);
      expect(JSON.stringify(r.output.findings)).toContain('"field":"aud"');
    });

    it('reports TOKEN_WRONG_TYPE and TOKEN_AUDIENCE_MISMATCH for a Cognito access token', async () => {
      await world();
      const tf = tokenFile('access.jwt', await mintToken({ claims: { iss: issuer, sub: 'user-1', token_use: 'access', client_id: CLI_CLIENT, scope: 'openid' } }));
      const r = await runOk('check_alb_jwt_config', { env: 'dev', token_file: tf }, opts());
      expect(codes(r.output)).toEqual(expect.arrayContaining(['TOKEN_WRONG_TYPE', 'TOKEN_AUDIENCE_MISMATCH']));
    });

    it('reports TOKEN_AUDIENCE_MISMATCH when aud is an array and the ALB format is single-string', async () => {
      await world();
      const tf = tokenFile('arr.jwt', await mintToken({ claims: { ...idClaims(), aud: [CLI_CLIENT, 'other'] } }));
      const r = await runOk('check_alb_jwt_config', { env: 'dev', token_file: tf }, opts());
      expect(codes(r.output)).toEqual(['TOKEN_AUDIENCE_MISMATCH']);
    });

    it('reports TOKEN_ALG_UNSUPPORTED for an ES256 token and JWKS_CONSUMER_LIMIT for 11 keys', async () => {
      await world();
      const keys = await Promise.all(Array.from({ length: 11 }, (_, i) => testKey(`k${i}`)));
      srv.routes.set('/jwks.json', { json: jwksOf(...keys) });
      const es = await testKey('es-1', 'ES256');
      const tf = tokenFile('es.jwt', await mintToken({ key: es, claims: idClaims() }));
      const r = await runOk('check_alb_jwt_config', { env: 'dev', token_file: tf }, opts());
      expect(codes(r.output)).toEqual(expect.arrayContaining(['JWKS_CONSUMER_LIMIT', 'TOKEN_ALG_UNSUPPORTED']));
    });

    it('reports JWKS_UNREACHABLE when the ALB\'s JWKS endpoint fails, and still compares with SSM', async () => {
      await world();
      srv.routes.set('/jwks.json', { status: 503, body: 'jwks not ready' });
      const r = await runOk('check_alb_jwt_config', { env: 'dev' }, opts());
      expect(codes(r.output, 'error')).toEqual(['JWKS_UNREACHABLE']);
      expect(codes(r.output, 'pass')).toContain('ALB_JWT_CONFIG_MISMATCH');
    });
  });

  describe('simulate_request (live rules)', () => {
    it('forwards a valid ID token through rule 5', async () => {
      await world();
      const tf = tokenFile('ok.jwt', await mintToken({ claims: idClaims() }));
      const r = await runOk('simulate_request', { env: 'dev', path: '/v1/chat/completions', method: 'POST', token_file: tf }, opts());
      expect(r.output.rules_source).toBe('live');
      expect(r.output.outcome).toMatchObject({ rule: '5', action: 'forward' });
      expect(codes(r.output, 'pass')).toContain('ALB_REQUEST_REJECTED');
    });

    it('reports ALB_REQUEST_REJECTED 401 for an expired JWT even with an API key (rule 5 wins)', async () => {
      await world();
      const tf = tokenFile('exp.jwt', await mintToken({ claims: idClaims(), iat: -7200, exp: -3600 }));
      const r = await runOk('simulate_request', { env: 'dev', path: '/v1/chat/completions', token_file: tf, has_api_key: true }, opts());
      expect(r.output.outcome).toMatchObject({ rule: '5', status: 401, action: 'jwt-401' });
      const f = (r.output.findings as Array<{ code: string; detail: string }>).find((x) => x.code === 'ALB_REQUEST_REJECTED')!;
      expect(f.detail).toMatch(/Bearer and X-API-Key together: rule 5 wins/);
      expect(f.detail).toMatch(/expired/);
      expect(codes(r.output)).toEqual(expect.arrayContaining(['ALB_REQUEST_REJECTED', 'TOKEN_EXPIRED']));
      expect(codes(r.output, 'warn')).toContain('API_KEY_SHADOWED_BY_BEARER');
    });

    it('reports SIGNATURE_INVALID and a 401 for a token signed by another key under the served kid', async () => {
      await world();
      const impostor = await generateKeyPair('RS256');
      const other = { ...(await testKey()), privateKey: impostor.privateKey };
      const tf = tokenFile('forged.jwt', await mintToken({ key: other, claims: idClaims() }));
      const r = await runOk('simulate_request', { env: 'dev', path: '/v1/models', token_file: tf }, opts());
      expect(r.output.outcome).toMatchObject({ status: 401 });
      expect(codes(r.output)).toEqual(expect.arrayContaining(['SIGNATURE_INVALID', 'ALB_REQUEST_REJECTED']));
    });

    it('reports ALB_REQUEST_REJECTED 403 from the default action for an X-API-Key without oc_', async () => {
      await world();
      const r = await runOk('simulate_request', { env: 'dev', path: '/v1/models', api_key_prefix: 'sk-abc' });
      expect(r.output.outcome).toMatchObject({ rule: 'default', status: 403 });
      expect(r.output.summary).toMatch(/403 from the default rule/);
    });
  });

  describe('errors moto cannot produce', () => {
    afterEach(() => {
      for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
      Object.assign(process.env, savedEnv, motoEnv(moto!.endpoint));
      delete process.env.AWS_PROFILE;
    });

    it('reports CHECK_PERMISSION_DENIED naming elasticloadbalancing:DescribeRules, and the JWKS check still runs (aws-sdk-client-mock: moto allows everything)', async () => {
      await world();
      const elb = mockClient(ElasticLoadBalancingV2Client);
      try {
        elb.on(DescribeListenersCommand).resolves({ Listeners: [{ ListenerArn: 'arn:x', Protocol: 'HTTPS', Port: 443 }] });
        elb.on(DescribeRulesCommand).rejects(Object.assign(new Error('User is not authorized to perform: elasticloadbalancing:DescribeRules'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
        const r = await runOk('check_alb_jwt_config', { env: 'dev' }, opts());
        const f = (r.output.findings as Array<{ code: string; evidence: { action: string }; fix: string }>).find((x) => x.code === 'CHECK_PERMISSION_DENIED')!;
        expect(f.evidence.action).toBe('elasticloadbalancing:DescribeRules');
        expect(f.fix).toContain('elasticloadbalancing:DescribeRules');
        expect(codes(r.output, 'pass')).toContain('JWKS_CONSUMER_LIMIT');
        expect((r.output.ssm as { issuer?: string }).issuer).toBe(issuer);
      } finally {
        elb.restore();
      }
    });

    it('reports AWS_THROTTLED when GetParametersByPath is throttled (aws-sdk-client-mock: moto never throttles)', async () => {
      const ssm = mockClient(SSMClient);
      try {
        ssm.on(GetParametersByPathCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
        const r = await runOk('get_ssm_parameters', { env: 'dev' });
        expect(codes(r.output, 'error')).toEqual(['AWS_THROTTLED']);
        expect(r.verdict).toBe('error');
      } finally {
        ssm.restore();
      }
    });

    it('simulate_request falls back to the preset chain when AWS denies DescribeListeners (aws-sdk-client-mock)', async () => {
      await world();
      const elb = mockClient(ElasticLoadBalancingV2Client);
      try {
        elb.on(DescribeListenersCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
        const r = await runOk('simulate_request', { env: 'dev', path: '/v1/models' });
        expect(r.output.rules_source).toBe('preset');
        expect(codes(r.output, 'error')).toEqual(['CHECK_PERMISSION_DENIED']);
        expect(r.output.outcome).toMatchObject({ rule: 'default', status: 403 });
      } finally {
        elb.restore();
      }
    });

    it('reports AWS_REGION_MISSING when no region is set', async () => {
      delete process.env.AWS_REGION;
      delete process.env.AWS_DEFAULT_REGION;
      process.env.AWS_CONFIG_FILE = join(dir, 'no-config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'no-credentials');
      const r = await runOk('describe_listener_rules', { env: 'dev' });
      expect(codes(r.output, 'error')).toEqual(['AWS_REGION_MISSING']);
      expect((r.output.findings as Array<{ fix: string }>)[0]!.fix).toContain('export AWS_REGION');
    });

    it('reports AWS_CREDENTIALS_MISSING when the default chain finds no credentials', async () => {
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) delete process.env[k];
      process.env.AWS_CONFIG_FILE = join(dir, 'no-config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'no-credentials');
      const r = await runOk('get_ssm_parameters', { env: 'dev' });
      expect(codes(r.output, 'error')).toEqual(['AWS_CREDENTIALS_MISSING']);
    });
  });

  it('rejects secret header values in simulate_request input (UsageError)', async () => {
    const r = await run('simulate_request', { path: '/v1/models', offline: true, headers: ['Authorization: Bearer abc.def.ghi'] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.kind).toBe('usage');
      expect(r.message).toMatch(/Use bearer/);
    }
  });
});
