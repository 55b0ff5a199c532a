/**
 * check_alb_oidc against moto (ELBv2 accepts authenticate-oidc and echoes its ClientSecret back —
 * a canary here) and a loopback HTTPS issuer; verify_alb_oidc_data against a loopback HTTPS
 * key server playing public-keys.auth.elb.<region>.amazonaws.com (keys_url), with values built
 * the way AWS documents them: ES256, header fields kid/signer/exp, base64 padding included.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, run, runOk } from '../helpers/ctx.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { buildOidcWorld, OIDC_CLIENT_SECRET_CANARY } from '../helpers/opencode-oidc-world.js';
import { NOW } from '../helpers/tokens.js';

const finding = (o: Record<string, unknown>, code: string) => (o.findings as Array<{ code: string; status: string; title: string; detail: string; evidence: Record<string, unknown> }>).filter((f) => f.code === code);

describe.skipIf(!(need('openssl') && need('moto_server')))('check_alb_oidc against moto and a loopback issuer', () => {
  let moto: Moto;
  let srv: TestHttpsServer;
  let issuer = '';
  const http = () => ({ http: { ca: srv.caCert } });
  beforeAll(async () => {
    moto = (await useMoto())!;
    Object.assign(process.env, motoEnv(moto.endpoint));
    srv = await startHttpsServer();
    issuer = `${srv.origin}/pool`;
    srv.routes.set('/pool/.well-known/openid-configuration', { json: { issuer, authorization_endpoint: `${issuer}/oauth2/authorize`, token_endpoint: `${issuer}/oauth2/token`, userinfo_endpoint: `${issuer}/oauth2/userInfo`, jwks_uri: `${issuer}/jwks` } });
  });
  afterAll(async () => {
    await srv?.close();
    await moto?.stop();
  });

  it('reads rule 10 from the SSM listener and agrees with discovery and SSM; never shows the ClientSecret', async () => {
    await moto.reset();
    await buildOidcWorld(moto.endpoint, { issuer, albClientId: 'albclient1' });
    const r = await runOk('check_alb_oidc', { env: 'dev', allowed_callback_urls: ['https://opencode.example.com/oauth2/idpresponse'] }, http());
    expect(r.output.rule_priority).toBe(10);
    expect(r.output.client_id).toBe('albclient1');
    expect(finding(r.output, 'ALB_OIDC_CONFIG_MISMATCH').map((f) => f.status)).toEqual(['pass']);
    expect(finding(r.output, 'ALB_OIDC_UNAUTHENTICATED_ACTION')[0]!.status).toBe('pass');
    expect(finding(r.output, 'ALB_OIDC_CALLBACK')[0]!.status).toBe('pass');
    // 127.0.0.1 has IPv4; the loopback port is not 443, which the check names.
    expect(finding(r.output, 'ALB_OIDC_IDP_IPV4').map((f) => f.status)).toEqual(['warn', 'warn']);
    expect(r.output.callback_urls).toContain('https://opencode.example.com/oauth2/idpresponse');
    expect(JSON.stringify(r.output) + r.text).not.toContain(OIDC_CLIENT_SECRET_CANARY);
  });

  it('ALB_OIDC_CONFIG_MISMATCH for a stale client id; ALB_OIDC_UNAUTHENTICATED_ACTION for deny; ALB_OIDC_IDP_IPV4 for an IPv6-only token endpoint', async () => {
    await moto.reset();
    await buildOidcWorld(moto.endpoint, { issuer, albClientId: 'albclient1', oidc: { ClientId: 'oldclient', OnUnauthenticatedRequest: 'deny', TokenEndpoint: 'https://[2001:db8::10]/oauth2/token' } });
    const r = await runOk('check_alb_oidc', { env: 'dev' }, http());
    const mism = finding(r.output, 'ALB_OIDC_CONFIG_MISMATCH');
    expect(mism.map((f) => f.evidence.field).sort()).toEqual(['ClientId', 'TokenEndpoint']);
    expect(codes(r.output)).toEqual(expect.arrayContaining(['ALB_OIDC_UNAUTHENTICATED_ACTION', 'ALB_OIDC_IDP_IPV4']));
    expect(finding(r.output, 'ALB_OIDC_IDP_IPV4')[0]!.title).toMatch(/IPv6 only/);
    expect(finding(r.output, 'ALB_OIDC_CALLBACK')[0]!.status).toBe('skip');
  });

  it('SSM_PARAMETER_MISSING when the distribution stack\'s listener parameter is absent; DISCOVERY_UNREACHABLE without the test CA', async () => {
    await moto.reset();
    await buildOidcWorld(moto.endpoint, { issuer, albClientId: 'albclient1', omit: ['alb/oidc/listener-arn'] });
    const r = await runOk('check_alb_oidc', { env: 'dev' }, http());
    expect(codes(r.output)).toEqual(['SSM_PARAMETER_MISSING']);
    expect(r.text).toContain('./scripts/deploy.sh distribution');
    await moto.reset();
    await buildOidcWorld(moto.endpoint, { issuer, albClientId: 'albclient1' });
    const untrusted = await runOk('check_alb_oidc', { env: 'dev' });
    expect(codes(untrusted.output, 'error')).toContain('DISCOVERY_UNREACHABLE');
    const gone = await runOk('check_alb_oidc', { env: 'dev', listener_arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/gone/0123456789abcdef/0123456789abcdef' }, http());
    expect(codes(gone.output)).toEqual(['ALB_LISTENER_NOT_FOUND']);
  });
});

describe.skipIf(!need('openssl'))('verify_alb_oidc_data against a loopback key server', () => {
  let srv: TestHttpsServer;
  const dir = mkdtempSync(join(tmpdir(), 'oidc-data-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const KID = '6d1f4a2b-9c3e-4f5a-8b7c-0d1e2f3a4b5c';
  const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/opencode-oidc-dev/50dc6c495c0c9188';
  const pad = (s: string) => s + '='.repeat((4 - (s.length % 4)) % 4);
  const enc = (o: unknown) => pad(Buffer.from(JSON.stringify(o)).toString('base64url'));
  function value(header: Record<string, unknown> = {}, payload: Record<string, unknown> = { sub: 'u-123', email: 'dev@example.com', email_verified: 'true' }) {
    const input = `${enc({ typ: 'JWT', kid: KID, alg: 'ES256', iss: 'https://issuer', client: 'albclient1', signer: ARN, exp: NOW + 120, ...header })}.${enc(payload)}`;
    return `${input}.${pad(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url'))}`;
  }
  const file = (v: string) => {
    const p = join(dir, `v-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(p, v);
    return p;
  };
  beforeAll(async () => {
    srv = await startHttpsServer({ [`/${KID}`]: { body: pem, headers: { 'content-type': 'application/x-pem-file' } } });
  });
  afterAll(() => srv?.close());
  const opts = () => ({ http: { ca: srv.caCert } });

  it('verifies a padded value the way AWS documents it', async () => {
    const v = value();
    expect(v.endsWith('=')).toBe(true);
    const r = await runOk('verify_alb_oidc_data', { data_file: file(v), expected_signer: ARN, keys_url: srv.origin }, opts());
    expect(r.output.verdict, r.text).toBe('pass');
    expect(r.output.padded).toBe(true);
    expect(r.output.key_url).toBe(`${srv.origin}/${KID}`);
    expect(r.output.claim_names).toEqual(['sub', 'email', 'email_verified']);
    expect(srv.hits).toContain(`/${KID}`);
    expect(JSON.stringify(r.output) + r.text).not.toContain(v.split('.')[2]!.slice(0, 40));
  });

  it('ALB_OIDC_DATA_SIGNATURE fails for an altered payload; ALB_OIDC_DATA_SIGNER_MISMATCH for another ALB; TOKEN_EXPIRED past exp', async () => {
    const [h, , s] = value().split('.');
    const altered = await runOk('verify_alb_oidc_data', { data_file: file(`${h}.${enc({ sub: 'admin' })}.${s}`), keys_url: srv.origin }, opts());
    expect(codes(altered.output)).toEqual(['ALB_OIDC_DATA_SIGNATURE']);
    const other = await runOk('verify_alb_oidc_data', { data_file: file(value()), expected_signer: ARN.replace('50dc6c495c0c9188', '0000000000000000'), keys_url: srv.origin }, opts());
    expect(codes(other.output)).toEqual(['ALB_OIDC_DATA_SIGNER_MISMATCH']);
    const late = await runOk('verify_alb_oidc_data', { data_file: file(value()), keys_url: srv.origin, now: String(NOW + 600) }, opts());
    expect(codes(late.output)).toEqual(['TOKEN_EXPIRED']);
  });

  it('JWKS_UNREACHABLE when the key is not served or the CA is untrusted; a usage error without a value', async () => {
    const r = await runOk('verify_alb_oidc_data', { data_file: file(value({ kid: 'no-such-key' })), keys_url: srv.origin }, opts());
    expect(codes(r.output, 'error')).toEqual(['JWKS_UNREACHABLE']);
    const untrusted = await runOk('verify_alb_oidc_data', { data_file: file(value()), keys_url: srv.origin });
    expect((finding(untrusted.output, 'JWKS_UNREACHABLE')[0]!.evidence.cause)).toBe('SOURCE_TLS_UNTRUSTED');
    const none = await run('verify_alb_oidc_data', {});
    expect(none.ok ? '' : none.message).toMatch(/data_file/);
  });
});
