/**
 * The diagnosis, presets web-identity (alias sts) and github-actions, on worlds built with the
 * real backends: moto (IAM OIDC providers and roles — trust policies come back URL-encoded —
 * and eks:DescribeCluster), a loopback HTTPS issuer serving discovery and JWKS as AWS fetches
 * them, the real kubectl against the kube API stand-in (the cluster's own discovery and JWKS,
 * the bridge Deployment and its logs, pods, service accounts), and the loopback EKS stand-in
 * for eks:ListPodIdentityAssociations (moto 5.2.1 lacks it; the SDK path stays real).
 *
 * The public issuer of these worlds is a Tailscale Funnel name (https://oidc.tail1234.ts.net),
 * as the bridge requires; the test reaches its documents on loopback through the diagnosis'
 * `issuer` input ("fetch discovery here"), while the token, the IAM provider, the trust policy,
 * the API server and the bridge all say the public name. Each world plants one fault; the
 * diagnosis must name it as root cause (a precedence world also shows the effects it explains,
 * demoted to "also"), its snapshot must replay to the same answer, and where a single-purpose
 * tool judges the same fact it must agree.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI } from '../e2e/client.js';
import { startAwsStandin, type AwsStandin } from '../helpers/aws-standins.js';
import { codes, runOk } from '../helpers/ctx.js';
import { liveAndReplay, root, rowLine, section, type Out } from '../helpers/diagnose-world.js';
import { startHttpsServer, type Route, type TestHttpsServer } from '../helpers/https-server.js';
import { startKubeStandin, type KubeStandin, type StandinPod } from '../helpers/kube-standin.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { jwksOf, mintToken, NOW_DATE, testKey, type MintOptions } from '../helpers/tokens.js';

const ready = need('openssl') && need('moto_server') && need('kubectl');
const ACCOUNT = '123456789012';
const ISS = 'https://oidc.tail1234.ts.net';
const HOST = 'oidc.tail1234.ts.net';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/uploader`;
const SUB = 'system:serviceaccount:apps:uploader';
const STS = 'sts.amazonaws.com';
const GH_ISS = 'https://token.actions.githubusercontent.com';
const GH_HOST = 'token.actions.githubusercontent.com';
const GH_ROLE = `arn:aws:iam::${ACCOUNT}:role/deploy`;
const BRIDGE_LABELS = { 'app.kubernetes.io/component': 'oidc-proxy' };

type Statement = Record<string, unknown>;
const allow = (o: { host?: string; principal?: string; action?: unknown; condition?: Record<string, Record<string, unknown>> } = {}): Statement => {
  const host = o.host ?? HOST;
  return {
    Effect: 'Allow',
    Principal: { Federated: o.principal ?? `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}` },
    Action: o.action ?? 'sts:AssumeRoleWithWebIdentity',
    Condition: o.condition ?? { StringEquals: { [`${host}:sub`]: SUB, [`${host}:aud`]: STS } },
  };
};
const slog = (fields: Record<string, unknown>, sec = 0) => JSON.stringify({ time: new Date(Date.UTC(2026, 8, 21, 9, 0, sec)).toISOString(), level: 'ERROR', msg: 'x', ...fields });
const HEALTHY_LOGS = [slog({ level: 'INFO', component: 'jwks_cache', event: 'jwks_prime_success' }, 1), slog({ level: 'INFO', component: 'tsnet_runner', event: 'issuer_host_verified' }, 2)];
const BRIDGE_ENV = { ISSUER_URL: ISS, TS_HOSTNAME: 'oidc', TS_STATE_SECRET: 'tailscale-state', TS_API_CLIENT_ID: 'client-id', TS_API_CLIENT_SECRET: { secretKeyRef: { name: 'ts-oauth', key: 'client-secret' } }, TS_TAG: 'tag:oidc' } as const;

/** `names CAUSE[ over EFFECT, EFFECT…]` in a title → the codes it promises (so title and assertion cannot drift). */
function promised(title: string): { cause: string; effects: string[] } {
  const m = /names ([A-Z][A-Z0-9_]+)(?: over ([A-Z][A-Z0-9_]+(?:, [A-Z][A-Z0-9_]+)*))?/.exec(title);
  if (!m) throw new Error(`no "names CODE" in ${title}`);
  return { cause: m[1]!, effects: m[2] ? m[2].split(', ') : [] };
}

/** What a precedence world asserts: CAUSE is the root, each EFFECT really co-occurred (fail or warn). */
function expectOver(r: { output: Out; text: string }, cause: string, effects: string[]) {
  expect(root(r.output), r.text).toBe(cause);
  const present = [...codes(r.output, 'fail'), ...codes(r.output, 'warn')];
  for (const e of effects) expect(present, `${e} should co-occur: ${r.text}`).toContain(e);
}

describe.skipIf(!ready)('diagnose web-identity / github-actions on broken worlds', () => {
  let moto: Moto;
  let srv: TestHttpsServer;
  let kube: KubeStandin;
  let eks: AwsStandin;
  /** Where the test reaches the public issuer's documents (loopback). */
  let pub: string;
  const http = () => ({ http: { ca: srv.caCert } });

  beforeAll(async () => {
    moto = (await useMoto())!;
    eks = await startAwsStandin({ motoEndpoint: moto.endpoint });
    Object.assign(process.env, motoEnv(moto.endpoint), { AWS_ENDPOINT_URL_EKS: eks.endpoint });
    srv = await startHttpsServer();
    pub = `${srv.origin}/pub`;
    kube = await startKubeStandin({ issuer: ISS, jwks: jwksOf(await testKey('sa-key')) });
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_EKS;
    await kube?.close();
    await srv?.close();
    await eks?.close();
    await moto?.stop();
  });

  /** The public issuer's documents at `path` on the loopback server (discovery names `issuer`). */
  async function servePublic(path: string, o: { issuer: string; keys?: string[]; discovery?: Route; jwks?: Route; docOverride?: Record<string, unknown> }) {
    const doc = { issuer: o.issuer, jwks_uri: `${srv.origin}${path}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'], ...o.docOverride };
    srv.routes.set(`${path}/.well-known/openid-configuration`, o.discovery ?? { json: doc });
    srv.routes.set(`${path}/openid/v1/jwks`, o.jwks ?? { json: jwksOf(...(await Promise.all((o.keys ?? ['sa-key']).map((k) => testKey(k))))) });
  }

  interface WiWorld {
    providers?: Array<{ url: string; clientIds?: string[] }>;
    statements?: Statement[];
    roleName?: string;
    publicKeys?: string[];
    discovery?: Route;
    jwks?: Route;
    docOverride?: Record<string, unknown>;
    clusterIssuer?: string;
    clusterKeys?: string[];
    bridgeEnv?: Record<string, unknown>;
    bridgeLogs?: string[];
  }

  /** IAM provider + role in moto, the public documents, the cluster, the bridge Deployment and pod. */
  async function wiWorld(o: WiWorld = {}) {
    await moto.reset();
    const iam = new IAMClient({});
    for (const p of o.providers ?? [{ url: ISS }]) await iam.send(new CreateOpenIDConnectProviderCommand({ Url: p.url, ClientIDList: p.clientIds ?? [STS], ThumbprintList: [] }));
    const trust = { Version: '2012-10-17', Statement: o.statements ?? [allow()] };
    await iam.send(new CreateRoleCommand({ RoleName: o.roleName ?? 'uploader', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await servePublic('/pub', { issuer: ISS, keys: o.publicKeys, discovery: o.discovery, jwks: o.jwks, docOverride: o.docOverride });
    kube.world.issuer = o.clusterIssuer ?? ISS;
    kube.world.discovery = undefined;
    kube.world.jwks = jwksOf(...(await Promise.all((o.clusterKeys ?? ['sa-key']).map((k) => testKey(k)))));
    kube.world.pods = [{ name: 'oidc-bridge-1', namespace: 'oidc', labels: BRIDGE_LABELS, logs: o.bridgeLogs ?? HEALTHY_LOGS }];
    kube.world.deployments = [{ name: 'oidc-bridge', namespace: 'oidc', labels: BRIDGE_LABELS, env: { ...BRIDGE_ENV, ...o.bridgeEnv } as never }];
    kube.world.serviceAccounts = [];
    kube.world.mutatingWebhookConfigurations = [];
  }

  const saToken = async (o: MintOptions & { claims?: Record<string, unknown> } = {}) =>
    mintToken({ key: await testKey('sa-key'), ...o, claims: { iss: ISS, aud: [STS], sub: SUB, 'kubernetes.io': { namespace: 'apps', serviceaccount: { name: 'uploader' } }, ...o.claims } });
  const planted: string[] = [];
  /** The web-identity diagnosis with everything it can read: role, service account, cluster, bridge. */
  async function diagnose(token: string, input: Record<string, unknown> = {}) {
    const full = { token, preset: 'web-identity', role_arn: ROLE, service_account: 'apps:uploader', issuer: pub, kubeconfig: kube.kubeconfig, kube_context: kube.context, bridge_namespace: 'oidc', ...input };
    for (const [k, v] of Object.entries(full)) if (v === undefined) delete (full as Record<string, unknown>)[k];
    return liveAndReplay(full, http(), [token, kube.token, ...planted]);
  }

  // ── healthy worlds ─────────────────────────────────────────────────────────────
  describe('healthy', () => {
    it('names nothing on a healthy bridge world (public Funnel issuer, cluster, bridge) and predicts success', async () => {
      await wiWorld();
      const r = await diagnose(await saToken());
      expect(root(r.output), r.text).toBeNull();
      expect(r.output.verdict, r.text).toBe('pass');
      for (const label of ['Provider', 'Trust policy', 'Public discovery', 'Cluster JWKS', 'Bridge', 'STS answer']) expect(section(r.output, label)?.status, `${label}: ${r.text}`).toBe('pass');
      expect(rowLine(r, 'STS answer')).toMatch(/^Success/);
    });

    it('names nothing for a token that expired 2 minutes ago: inside STS\'s documented 300 s clock-skew window', async () => {
      await wiWorld();
      const r = await diagnose(await saToken({ iat: -3720, exp: -120 }));
      expect(root(r.output), r.text).toBeNull();
      expect(codes(r.output, 'warn')).toContain('STS_OUTCOME');
      expect(JSON.stringify(r.output.findings)).toMatch(/inside STS's documented 300 s clock-skew window/);
    });

    it('names nothing for an ES256 token STS accepts (the bridge\'s RS256-only rule does not apply to STS)', async () => {
      const ec = await testKey('sa-ec', 'ES256');
      await wiWorld({ jwks: { json: jwksOf(ec) } });
      kube.world.jwks = jwksOf(ec);
      const token = await mintToken({ key: ec, claims: { iss: ISS, aud: [STS], sub: SUB } });
      const r = await diagnose(token);
      expect(root(r.output), r.text).toBeNull();
    });
  });

  // ── the token as STS judges it ─────────────────────────────────────────────────
  describe('token', () => {
    it('names TOKEN_ALG_UNSUPPORTED for a PS256 token (STS takes RS/ES 256/384/512 only); check_web_identity_token agrees', async () => {
      const ps = await testKey('sa-ps', 'PS256');
      await wiWorld();
      await servePublic('/pub', { issuer: ISS, jwks: { json: jwksOf(ps) } });
      kube.world.jwks = jwksOf(ps);
      const token = await mintToken({ key: ps, claims: { iss: ISS, aud: [STS], sub: SUB } });
      const r = await diagnose(token);
      expectOver(r, 'TOKEN_ALG_UNSUPPORTED', ['STS_OUTCOME']);
      const tool = await runOk('check_web_identity_token', { token, namespace: 'apps', service_account: 'uploader' });
      expect(codes(tool.output)).toContain('TOKEN_ALG_UNSUPPORTED');
    });

    it('names TOKEN_KID_MISSING when the token has no kid and the public JWKS holds two keys it could be (STS cannot choose)', async () => {
      await wiWorld({ publicKeys: ['sa-key', 'sa-key-next'], clusterKeys: ['sa-key', 'sa-key-next'] });
      const token = await saToken({ header: { kid: undefined } });
      const r = await diagnose(token);
      expectOver(r, 'TOKEN_KID_MISSING', ['STS_OUTCOME']);
      const tool = await runOk('check_jwks', { token, issuer: pub, consumer: 'sts' }, http());
      expect(codes(tool.output)).toContain('TOKEN_KID_MISSING');
    });

    it('names TOKEN_EXPIRED over STS_OUTCOME for a token expired 10 minutes ago (beyond the 300 s window); check_token_time agrees', async () => {
      await wiWorld();
      const token = await saToken({ iat: -4200, exp: -600 });
      const r = await diagnose(token);
      expectOver(r, 'TOKEN_EXPIRED', ['STS_OUTCOME']);
      expect(rowLine(r, 'STS answer')).toMatch(/ExpiredTokenException: Token expired/);
      const tool = await runOk('check_web_identity_token', { token });
      expect(codes(tool.output)).toContain('TOKEN_EXPIRED');
    });

    it('names TOKEN_NO_EXPIRY for a token without exp (STS requires one)', async () => {
      await wiWorld();
      const r = await diagnose(await saToken({ exp: null }));
      expectOver(r, 'TOKEN_NO_EXPIRY', ['STS_OUTCOME']);
    });

    it('names TOKEN_AUDIENCE_MISMATCH for aud "sts.amazon.com" (the common typo); check_web_identity_token agrees', async () => {
      await wiWorld();
      const token = await saToken({ claims: { aud: ['sts.amazon.com'] } });
      const r = await diagnose(token);
      expectOver(r, 'TOKEN_AUDIENCE_MISMATCH', ['IAM_PROVIDER_AUDIENCE_MISSING', 'TRUST_CONDITION_AUD_MISMATCH', 'STS_OUTCOME']);
      expect(r.text).toContain('sts.amazonaws.com');
      const tool = await runOk('check_web_identity_token', { token });
      expect(codes(tool.output)).toContain('TOKEN_AUDIENCE_MISMATCH');
    });

    it('names TOKEN_ISSUER_MISMATCH for a token from another issuer (with its own provider) than the one expected', async () => {
      const other = 'https://oidc-old.tail1234.ts.net';
      await wiWorld({ providers: [{ url: ISS }, { url: other }] });
      await servePublic('/old', { issuer: other });
      const token = await saToken({ claims: { iss: other } });
      const r = await diagnose(token, { issuer: `${srv.origin}/old`, expected_issuer: ISS, kube_context: undefined, kubeconfig: undefined, bridge_namespace: undefined });
      expectOver(r, 'TOKEN_ISSUER_MISMATCH', ['TRUST_PRINCIPAL_MISMATCH', 'STS_OUTCOME']);
      const tool = await runOk('check_web_identity_token', { token, expected_issuer: ISS });
      expect(codes(tool.output)).toContain('TOKEN_ISSUER_MISMATCH');
    });

    it('names STS_OUTCOME when the caller widens skew_seconds past STS\'s own 300 s window: STS still answers ExpiredTokenException', async () => {
      await wiWorld();
      const r = await diagnose(await saToken({ iat: -4000, exp: -420 }), { skew_seconds: 900 });
      expect(root(r.output), r.text).toBe('STS_OUTCOME');
      expect(codes(r.output)).not.toContain('TOKEN_EXPIRED');
      expect(r.output.root_cause as { title: string }).toMatchObject({ title: expect.stringMatching(/ExpiredTokenException/) });
    });
  });

  // ── discovery and JWKS as AWS fetches them ─────────────────────────────────────
  describe('discovery and JWKS', () => {
    it('names DISCOVERY_UNREACHABLE (a failure) when the issuer\'s certificate chains to a CA the verifier does not trust; check_discovery agrees', async () => {
      await wiWorld();
      // Another CA than the one that signed the issuer's certificate: as for AWS, which trusts public CAs only.
      const otherCa = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-keyout', '/dev/null', '-subj', '/CN=another-ca'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      const token = await saToken();
      const input = { token, preset: 'web-identity', role_arn: ROLE, service_account: 'apps:uploader', issuer: pub };
      const r = await liveAndReplay(input, { http: { ca: otherCa } }, [token]);
      expectOver(r, 'DISCOVERY_UNREACHABLE', ['STS_OUTCOME']);
      expect(r.output.likely).toBeUndefined();
      expect(JSON.stringify(r.output.root_cause)).toMatch(/SOURCE_TLS_UNTRUSTED/);
      const tool = await runOk('check_discovery', { issuer: pub, consumer: 'sts' }, { http: { ca: otherCa } });
      expect([...codes(tool.output), ...codes(tool.output, 'error')]).toContain('DISCOVERY_UNREACHABLE');
    });

    it('names JWKS_UNREACHABLE (a failure: STS fetches it itself) when jwks_uri answers 404', async () => {
      await wiWorld({ jwks: { status: 404, body: 'not found' } });
      const r = await diagnose(await saToken(), { kube_context: undefined, kubeconfig: undefined, bridge_namespace: undefined });
      expectOver(r, 'JWKS_UNREACHABLE', ['STS_OUTCOME']);
      expect(r.output.likely).toBeUndefined();
      expect(rowLine(r, 'STS answer')).toMatch(/Couldn't retrieve verification key/);
    });

    it('names DISCOVERY_INVALID when the issuer answers 200 with a JSON array instead of the metadata object', async () => {
      await wiWorld({ discovery: { json: [{ issuer: ISS }] } });
      const r = await diagnose(await saToken(), { kube_context: undefined, kubeconfig: undefined, bridge_namespace: undefined });
      expect(root(r.output), r.text).toBe('DISCOVERY_INVALID');
      const tool = await runOk('check_discovery', { issuer: pub, consumer: 'sts' }, http());
      expect(codes(tool.output)).toContain('DISCOVERY_INVALID');
    });

    it('names DISCOVERY_ISSUER_MISMATCH when the document\'s issuer has a trailing slash the token lacks', async () => {
      await wiWorld({ docOverride: { issuer: `${ISS}/` } });
      const r = await diagnose(await saToken(), { kube_context: undefined, kubeconfig: undefined, bridge_namespace: undefined });
      expect(root(r.output), r.text).toBe('DISCOVERY_ISSUER_MISMATCH');
    });

    it('names DISCOVERY_JWKS_URI_INVALID when jwks_uri is not a URL', async () => {
      await wiWorld({ docOverride: { jwks_uri: 'openid/v1/jwks' } });
      const r = await diagnose(await saToken(), { kube_context: undefined, kubeconfig: undefined, bridge_namespace: undefined });
      expect(root(r.output), r.text).toBe('DISCOVERY_JWKS_URI_INVALID');
    });

    it('names JWKS_INVALID when the JWKS is not {"keys": [...]}', async () => {
      await wiWorld({ jwks: { json: { keys: 'none' } } });
      const r = await diagnose(await saToken(), { kube_context: undefined, kubeconfig: undefined, bridge_namespace: undefined });
      expect(root(r.output), r.text).toBe('JWKS_INVALID');
    });

    it('names JWKS_KID_NOT_FOUND when the public JWKS does not serve the token\'s kid (no cluster to compare); check_jwks agrees', async () => {
      await wiWorld({ publicKeys: ['other-key'] });
      const token = await saToken();
      const r = await diagnose(token, { kube_context: undefined, kubeconfig: undefined, bridge_namespace: undefined });
      expectOver(r, 'JWKS_KID_NOT_FOUND', ['STS_OUTCOME']);
      const tool = await runOk('check_jwks', { token, issuer: pub, consumer: 'sts' }, http());
      expect(codes(tool.output)).toContain('JWKS_KID_NOT_FOUND');
    });

    it('names SIGNATURE_INVALID when the served key under the token\'s kid is another key', async () => {
      const impostor = await testKey('impostor');
      await wiWorld({ jwks: { json: { keys: [{ ...impostor.jwk, kid: 'sa-key' }] } } });
      const r = await diagnose(await saToken(), { kube_context: undefined, kubeconfig: undefined, bridge_namespace: undefined });
      expect(root(r.output), r.text).toBe('SIGNATURE_INVALID');
    });

    it('names JWKS_CONSUMER_LIMIT when the public JWKS holds no key STS can verify with (only an Ed25519 key) for a token without kid', async () => {
      const ed = await testKey('ed-key', 'EdDSA');
      await wiWorld({ jwks: { json: jwksOf(ed) } });
      const r = await diagnose(await saToken({ header: { kid: undefined } }), { kube_context: undefined, kubeconfig: undefined, bridge_namespace: undefined });
      expectOver(r, 'JWKS_CONSUMER_LIMIT', ['STS_OUTCOME']);
    });

    it('names JWKS_PUBLIC_CLUSTER_DRIFT over JWKS_KID_NOT_FOUND, STS_OUTCOME when the cluster rotated to a key the public JWKS lacks; compare_jwks agrees', async () => {
      await wiWorld({ publicKeys: ['sa-key'], clusterKeys: ['sa-key-next'] });
      const token = await mintToken({ key: await testKey('sa-key-next'), claims: { iss: ISS, aud: [STS], sub: SUB } });
      const r = await diagnose(token);
      expectOver(r, 'JWKS_PUBLIC_CLUSTER_DRIFT', ['JWKS_KID_NOT_FOUND', 'STS_OUTCOME']);
      const tool = await runOk('compare_jwks', { a_cluster: true, a_kubeconfig: kube.kubeconfig, a_context: kube.context, b_url: `${pub}/openid/v1/jwks`, token }, http());
      expect(codes(tool.output)).toContain('JWKS_PUBLIC_CLUSTER_DRIFT');
    });
  });

  // ── IAM provider and trust policy ──────────────────────────────────────────────
  describe('IAM', () => {
    it('names IAM_OIDC_PROVIDER_MISSING over TRUST_PRINCIPAL_MISMATCH, STS_OUTCOME when the provider (and the trust) carry a trailing slash; check_iam_oidc_provider agrees', async () => {
      await wiWorld({ providers: [{ url: `${ISS}/` }], statements: [allow({ principal: `${PROVIDER}/`, condition: { StringEquals: { [`${HOST}/:sub`]: SUB } } })] });
      const token = await saToken();
      const r = await diagnose(token);
      expectOver(r, 'IAM_OIDC_PROVIDER_MISSING', ['TRUST_PRINCIPAL_MISMATCH', 'STS_OUTCOME']);
      expect(rowLine(r, 'STS answer')).toContain(`No OpenIDConnect provider found in your account for ${ISS}`);
      const tool = await runOk('check_iam_oidc_provider', { token });
      expect(codes(tool.output)).toContain('IAM_OIDC_PROVIDER_MISSING');
    });

    it('names IAM_PROVIDER_AUDIENCE_MISSING when the provider\'s client id list lacks sts.amazonaws.com; check_iam_oidc_provider agrees', async () => {
      await wiWorld({ providers: [{ url: ISS, clientIds: ['kubernetes'] }] });
      const token = await saToken();
      const r = await diagnose(token);
      expectOver(r, 'IAM_PROVIDER_AUDIENCE_MISSING', ['STS_OUTCOME']);
      expect(rowLine(r, 'STS answer')).toMatch(/Incorrect token audience/);
      const tool = await runOk('check_iam_oidc_provider', { token });
      expect(codes(tool.output)).toContain('IAM_PROVIDER_AUDIENCE_MISSING');
    });

    /** A trust-policy world: the title names the planted code (and, for a precedence row, its effects). */
    const trustWorld = (title: string, statements: Statement[], extra: { token?: MintOptions } = {}) =>
      it(title, async () => {
        const { cause, effects } = promised(title);
        await wiWorld({ statements });
        const token = await saToken(extra.token);
        const r = await diagnose(token);
        expectOver(r, cause, effects.length ? effects : ['STS_OUTCOME']);
        expect(rowLine(r, 'STS answer')).toMatch(/AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity/);
        const tool = await runOk('check_role_trust', { token, role_arn: ROLE });
        expect(codes(tool.output)).toContain(cause);
      });

    trustWorld('names TRUST_PRINCIPAL_MISMATCH when the trust names the old cluster\'s provider (check_role_trust agrees)', [allow({ principal: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc-old.tail1234.ts.net` })]);
    trustWorld('names TRUST_ACTION_MISSING when the statement allows only sts:AssumeRole (check_role_trust agrees)', [allow({ action: 'sts:AssumeRole' })]);
    trustWorld('names TRUST_CONDITION_SUB_MISMATCH when the trust names another namespace (check_role_trust agrees)', [allow({ condition: { StringEquals: { [`${HOST}:sub`]: 'system:serviceaccount:payments:uploader', [`${HOST}:aud`]: STS } } })]);
    trustWorld('names TRUST_CONDITION_AUD_MISMATCH when the :aud condition says sts.amazon.com (check_role_trust agrees)', [allow({ condition: { StringEquals: { [`${HOST}:sub`]: SUB, [`${HOST}:aud`]: 'sts.amazon.com' } } })]);
    trustWorld('names TRUST_CONDITION_MISMATCH when a condition on :amr (an evaluated key) does not match (check_role_trust agrees)', [allow({ condition: { StringEquals: { [`${HOST}:sub`]: SUB, [`${HOST}:amr`]: 'authenticated' } } })]);
    trustWorld('names TRUST_EXPLICIT_DENY when a Deny statement matches the service account (check_role_trust agrees)', [allow(), { Effect: 'Deny', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [`${HOST}:sub`]: 'system:serviceaccount:apps:*' } } }]);
    trustWorld('names TRUST_TAG_SESSION_MISSING when the token carries session tags and the trust lacks sts:TagSession (check_role_trust agrees)', [allow()], { token: { claims: { 'https://aws.amazon.com/tags': { principal_tags: { team: ['storage'] } } } } });
    trustWorld('names TRUST_WILDCARD_IN_STRINGEQUALS over TRUST_CONDITION_SUB_MISMATCH, STS_OUTCOME when the sub pattern sits in StringEquals (check_role_trust agrees)', [allow({ condition: { StringEquals: { [`${HOST}:sub`]: 'system:serviceaccount:apps:*', [`${HOST}:aud`]: STS } } })]);
    trustWorld('names TRUST_CONDITION_KEY_UNSUPPORTED over STS_OUTCOME when the trust conditions on :namespace (IAM makes no such key for an OIDC provider) (check_role_trust agrees)', [allow({ condition: { StringEquals: { [`${HOST}:sub`]: SUB, [`${HOST}:namespace`]: 'apps' } } })]);
  });

  // ── the cluster and the bridge ─────────────────────────────────────────────────
  describe('cluster and bridge', () => {
    it('names CLUSTER_ISSUER_MISMATCH over IAM_OIDC_PROVIDER_MISSING, DISCOVERY_ISSUER_MISMATCH when the API server still signs as https://kubernetes.default.svc; get_cluster_oidc and check_bridge_config agree', async () => {
      await wiWorld({ clusterIssuer: 'https://kubernetes.default.svc' });
      const r = await diagnose(await saToken({ claims: { iss: 'https://kubernetes.default.svc' } }));
      expectOver(r, 'CLUSTER_ISSUER_MISMATCH', ['IAM_OIDC_PROVIDER_MISSING', 'DISCOVERY_ISSUER_MISMATCH']);
      expect(r.text).toContain(`--service-account-issuer=${ISS}`);
      const tool = await runOk('check_bridge_config', { namespace: 'oidc', kubeconfig: kube.kubeconfig, context: kube.context });
      expect(codes(tool.output)).toContain('CLUSTER_ISSUER_MISMATCH');
    });

    it('reports CLUSTER_UNREACHABLE as could-not-check (never a root cause) when the kubeconfig token is refused; the AWS side still answers', async () => {
      await wiWorld();
      const r = await diagnose(await saToken(), { kubeconfig: kube.kubeconfigWith({ token: 'wrong-token-0000' }) });
      expect(root(r.output), r.text).toBeNull();
      expect(codes(r.output, 'error')).toContain('CLUSTER_UNREACHABLE');
      expect(section(r.output, 'Cluster JWKS')?.status).toBe('error');
      expect(section(r.output, 'Trust policy')?.status).toBe('pass');
      const tool = await runOk('get_cluster_oidc', { kubeconfig: kube.kubeconfigWith({ token: 'wrong-token-0000' }), context: kube.context });
      expect(codes(tool.output, 'error')).toContain('CLUSTER_UNREACHABLE');
    });

    const down = { status: 502, body: 'Bad Gateway' } as const;
    /** A bridge world: the title names the cause and the effects it explains. */
    const bridgeWorld = (title: string, o: WiWorld) =>
      it(title, async () => {
        const { cause, effects } = promised(title);
        await wiWorld(o);
        const r = await diagnose(await saToken());
        expectOver(r, cause, effects);
        const logs = await runOk('check_bridge_logs', { namespace: 'oidc', kubeconfig: kube.kubeconfig, context: kube.context });
        const config = await runOk('check_bridge_config', { namespace: 'oidc', kubeconfig: kube.kubeconfig, context: kube.context });
        expect([...codes(logs.output), ...codes(config.output)]).toContain(cause);
      });

    bridgeWorld('names BRIDGE_FUNNEL_NOT_PERMITTED over DISCOVERY_UNREACHABLE, STS_OUTCOME when the tag lacks the funnel node attribute; check_bridge_logs / check_bridge_config agree', {
      discovery: down,
      bridgeLogs: [...HEALTHY_LOGS, ...[3, 4, 5, 6].map((s) => slog({ component: 'tsnet_runner', event: 'public_listener_failure', error_kind: 'operation_failed' }, s))],
    });
    bridgeWorld('names BRIDGE_ISSUER_HOST_MISMATCH over DISCOVERY_UNREACHABLE, STS_OUTCOME when the certificate is for another host; check_bridge_logs / check_bridge_config agree', {
      discovery: down,
      bridgeLogs: [slog({ component: 'tsnet_runner', event: 'issuer_host_mismatch', expected_host: HOST, cert_domains: ['bridge.tail1234.ts.net'] }, 1), slog({ event: 'process_stop', error_kind: 'startup_failed' }, 2)],
    });
    bridgeWorld('names BRIDGE_TAILSCALE_LOGIN over DISCOVERY_UNREACHABLE, STS_OUTCOME when the auth key cannot be minted; check_bridge_logs / check_bridge_config agree', {
      discovery: down,
      bridgeLogs: [slog({ level: 'INFO', component: 'tsnet_runner', event: 'tsnet_state_change', state: 'NeedsLogin' }, 1), slog({ component: 'tsnet_runner', event: 'auth_key_mint_failure', error_kind: 'create_auth_key_failed' }, 2), slog({ event: 'process_stop', error_kind: 'startup_failed' }, 3)],
    });
    bridgeWorld('names BRIDGE_JWKS_PRIME_FAILED over JWKS_KID_NOT_FOUND, STS_OUTCOME when the bridge serves a stale JWKS after the cluster rotated its key; check_bridge_logs / check_bridge_config agree', {
      publicKeys: ['sa-key-old'],
      clusterKeys: ['sa-key'],
      bridgeLogs: [...HEALTHY_LOGS, slog({ component: 'jwks_cache', event: 'jwks_refresh_failure', error_kind: 'upstream_status', status_code: 403 }, 5), slog({ level: 'WARN', component: 'jwks_cache', event: 'jwks_serving_stale' }, 6)],
    });
    bridgeWorld('names BRIDGE_CONFIG_INVALID over DISCOVERY_UNREACHABLE, STS_OUTCOME when TS_TAG lacks the "tag:" prefix and the bridge stops at startup; check_bridge_logs / check_bridge_config agree', {
      discovery: down,
      bridgeEnv: { TS_TAG: 'oidc' },
      bridgeLogs: [slog({ event: 'process_stop', error_kind: 'startup_failed' }, 1)],
    });
  });

  // ── EKS: the pod's credentials (--eks-cluster) ─────────────────────────────────
  describe('EKS', () => {
    const EKS_ROLE = `arn:aws:iam::${ACCOUNT}:role/uploader`;
    type Env = Record<string, string>;
    const irsaEnv = (role = EKS_ROLE): Env => ({ AWS_ROLE_ARN: role, AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', AWS_REGION: 'us-east-1' });
    const irsaVolume = { name: 'aws-iam-token', projected: { sources: [{ serviceAccountToken: { audience: STS, expirationSeconds: 86400, path: 'token' } }] } };
    const podIdEnv: Env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials', AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token' };
    const podIdVolume = { name: 'eks-pod-identity-token', projected: { sources: [{ serviceAccountToken: { audience: 'pods.eks.amazonaws.com', expirationSeconds: 86400, path: 'eks-pod-identity-token' } }] } };
    const rawPod = (o: { env?: Env; volumes?: Array<{ name: string }>; nodeName?: string }) => ({
      metadata: { creationTimestamp: '2026-09-01T00:00:00Z' },
      spec: {
        serviceAccountName: 'uploader',
        nodeName: o.nodeName ?? 'ip-10-0-1-2.ec2.internal',
        containers: [{ name: 'main', image: 'example/app:1', env: Object.entries(o.env ?? {}).map(([name, value]) => ({ name, value })), volumeMounts: (o.volumes ?? []).map((v) => ({ name: v.name, mountPath: '/var/run/secrets/x' })) }],
        volumes: o.volumes ?? [],
      },
      status: { phase: 'Running' },
    });
    const agentPod: StandinPod = { name: 'eks-pod-identity-agent-x7k2p', namespace: 'kube-system' };
    const fails = { metadata: { name: 'pod-identity-webhook' }, webhooks: [{ name: 'iam-for-pods.amazonaws.com', failurePolicy: 'Fail', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: {} }] };
    let eksIss = '';

    interface EksWorld {
      pod?: Record<string, unknown> | null;
      annotations?: Record<string, string>;
      provider?: 'current' | 'old';
      association?: { roleArn: string } | undefined;
      podRoleTrust?: Statement[];
      agents?: boolean;
    }
    async function eksWorld(o: EksWorld) {
      await moto.reset();
      const iam = new IAMClient({});
      const { cluster } = await new EKSClient({}).send(new CreateClusterCommand({ name: 'prod', roleArn: `arn:aws:iam::${ACCOUNT}:role/eks`, resourcesVpcConfig: { subnetIds: [] } }));
      eksIss = cluster!.identity!.oidc!.issuer!;
      const host = eksIss.replace('https://', '');
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: o.provider === 'old' ? 'https://oidc.eks.us-east-1.amazonaws.com/id/0LDC1U5TER0000000000000000000000' : eksIss, ClientIDList: [STS], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] }));
      await iam.send(new CreateRoleCommand({ RoleName: 'uploader', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [allow({ host })] }) }));
      if (o.podRoleTrust) await iam.send(new CreateRoleCommand({ RoleName: 'uploader-pods', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: o.podRoleTrust }) }));
      eks.associations = o.association ? [{ cluster: 'prod', namespace: 'apps', serviceAccount: 'uploader', roleArn: o.association.roleArn }] : [];
      await servePublic('/eks', { issuer: eksIss });
      kube.world.issuer = eksIss;
      kube.world.discovery = undefined;
      kube.world.jwks = jwksOf(await testKey('sa-key'));
      kube.world.deployments = [];
      kube.world.pods = [...(o.pod === null ? [] : [{ name: 'uploader-1', namespace: 'apps', raw: o.pod ?? rawPod({ env: irsaEnv(), volumes: [irsaVolume] }) }]), ...(o.agents === false ? [] : [agentPod])];
      kube.world.serviceAccounts = [{ name: 'uploader', namespace: 'apps', annotations: o.annotations ?? { 'eks.amazonaws.com/role-arn': EKS_ROLE } }];
      kube.world.mutatingWebhookConfigurations = [fails];
    }
    const eksToken = async (o: MintOptions = {}) => mintToken({ key: await testKey('sa-key'), ...o, claims: { iss: eksIss, aud: [STS], sub: SUB } });
    const eksDiagnose = async (token: string) => diagnose(token, { issuer: `${srv.origin}/eks`, eks_cluster: 'prod', bridge_namespace: undefined });
    const eksTool = () => runOk('check_eks_pod_credentials', { namespace: 'apps', service_account: 'uploader', cluster: 'prod', kubeconfig: kube.kubeconfig, context: kube.context });

    it('names nothing on a healthy IRSA world (mutated pod, provider for the cluster issuer, trust for its sub)', async () => {
      await eksWorld({});
      const r = await eksDiagnose(await eksToken());
      expect(root(r.output), r.text).toBeNull();
      expect(section(r.output, 'EKS pod')?.status, r.text).toBe('pass');
    });

    it('names EKS_IRSA_POD_NOT_MUTATED over EKS_CREDENTIAL_MECHANISM for a pod created before the annotation; check_eks_pod_credentials agrees', async () => {
      await eksWorld({ pod: rawPod({ env: { AWS_REGION: 'us-east-1' } }) });
      const r = await eksDiagnose(await eksToken());
      expectOver(r, 'EKS_IRSA_POD_NOT_MUTATED', ['EKS_CREDENTIAL_MECHANISM']);
      expect(r.text).toMatch(/recreate the pod/i);
      expect(codes((await eksTool()).output)).toContain('EKS_IRSA_POD_NOT_MUTATED');
    });

    it('names EKS_CREDENTIALS_SHADOWED over EKS_CREDENTIAL_MECHANISM when static keys sit in the pod env (their value never appears)', async () => {
      const key = 'AKIAZZZZCANARYWORLD1';
      planted.push(key);
      await eksWorld({ pod: rawPod({ env: { AWS_ACCESS_KEY_ID: key, AWS_REGION: 'us-east-1' } }) });
      const r = await eksDiagnose(await eksToken());
      expectOver(r, 'EKS_CREDENTIALS_SHADOWED', ['EKS_CREDENTIAL_MECHANISM']);
      expect(JSON.stringify(r.output) + r.text).not.toContain(key);
      expect(codes((await eksTool()).output)).toContain('EKS_CREDENTIALS_SHADOWED');
    });

    it('names EKS_CLUSTER_ISSUER_NO_PROVIDER over IAM_OIDC_PROVIDER_MISSING, STS_OUTCOME for a recreated cluster (new OIDC id); check_eks_pod_credentials agrees', async () => {
      await eksWorld({ provider: 'old' });
      const r = await eksDiagnose(await eksToken());
      expectOver(r, 'EKS_CLUSTER_ISSUER_NO_PROVIDER', ['IAM_OIDC_PROVIDER_MISSING', 'STS_OUTCOME']);
      expect(codes((await eksTool()).output)).toContain('EKS_CLUSTER_ISSUER_NO_PROVIDER');
    });

    it('names EKS_IRSA_ANNOTATION_INVALID when the role-arn annotation has trailing whitespace; check_eks_pod_credentials agrees', async () => {
      await eksWorld({ annotations: { 'eks.amazonaws.com/role-arn': `${EKS_ROLE} ` }, pod: rawPod({ env: irsaEnv(`${EKS_ROLE} `), volumes: [irsaVolume] }) });
      const r = await eksDiagnose(await eksToken());
      expect(root(r.output), r.text).toBe('EKS_IRSA_ANNOTATION_INVALID');
      expect(codes((await eksTool()).output)).toContain('EKS_IRSA_ANNOTATION_INVALID');
    });

    it('names EKS_TOKEN_STALE for a projected token kept past the kubelet\'s refresh point (22 h of 24 h)', async () => {
      await eksWorld({});
      const r = await eksDiagnose(await eksToken({ iat: -79200, exp: 7200 }));
      expect(root(r.output), r.text).toBe('EKS_TOKEN_STALE');
    });

    it('names EKS_CREDENTIAL_MECHANISM when no pod runs as the service account; check_eks_pod_credentials agrees', async () => {
      await eksWorld({ pod: null });
      const r = await eksDiagnose(await eksToken());
      expect(root(r.output), r.text).toBe('EKS_CREDENTIAL_MECHANISM');
      expect(codes((await eksTool()).output)).toContain('EKS_CREDENTIAL_MECHANISM');
    });

    it('ends an EKS diagnosis against a black-hole Kubernetes API at its deadline, and kills the kubectl it started', async () => {
      await eksWorld({});
      const open = new Set<Socket>();
      const hole = createServer((sock) => {
        open.add(sock);
        sock.on('close', () => open.delete(sock));
        sock.on('error', () => undefined);
        sock.resume(); // read (and drop) the ClientHello, so the peer's close is seen
      });
      await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
      try {
        const started = Date.now();
        const kubeconfig = kube.kubeconfigWith({ server: `https://127.0.0.1:${(hole.address() as { port: number }).port}` });
        const r = await runOk('diagnose_rejection', { token: await eksToken(), preset: 'web-identity', role_arn: ROLE, service_account: 'apps:uploader', issuer: `${srv.origin}/eks`, eks_cluster: 'prod', kubeconfig, kube_context: kube.context, deadline_seconds: 2 }, http());
        expect(Date.now() - started).toBeLessThan(3500);
        expect(section(r.output, 'EKS pod')?.status, r.text).toBe('error');
        expect(section(r.output, 'Trust policy')?.status).toBe('pass');
        // kubectl was killed at the deadline: its connections close (else they stay until kubectl's own 15 s timeout).
        await vi.waitFor(() => expect(open.size).toBe(0), { timeout: 2000, interval: 50 });
      } finally {
        for (const sock of open) sock.destroy();
        await new Promise((r) => hole.close(r));
      }
    });

    const podTrust: Statement[] = [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }];
    const assoc = { roleArn: `arn:aws:iam::${ACCOUNT}:role/uploader-pods` };
    it('names EKS_POD_IDENTITY_ASSOCIATION_MISSING for an injected Pod Identity pod whose association was deleted; check_eks_pod_credentials agrees', async () => {
      await eksWorld({ pod: rawPod({ env: podIdEnv, volumes: [podIdVolume] }), annotations: {}, podRoleTrust: podTrust });
      const r = await eksDiagnose(await eksToken());
      expect(root(r.output), r.text).toBe('EKS_POD_IDENTITY_ASSOCIATION_MISSING');
      expect(codes((await eksTool()).output)).toContain('EKS_POD_IDENTITY_ASSOCIATION_MISSING');
    });

    it('names EKS_POD_IDENTITY_AGENT when no agent pod runs', async () => {
      await eksWorld({ pod: rawPod({ env: podIdEnv, volumes: [podIdVolume] }), annotations: {}, podRoleTrust: podTrust, association: assoc, agents: false });
      const r = await eksDiagnose(await eksToken());
      expect(root(r.output), r.text).toBe('EKS_POD_IDENTITY_AGENT');
    });

    it('names EKS_POD_IDENTITY_TRUST when the associated role trusts only the OIDC provider', async () => {
      await eksWorld({ pod: rawPod({ env: podIdEnv, volumes: [podIdVolume] }), annotations: {}, podRoleTrust: [allow()], association: assoc });
      const r = await eksDiagnose(await eksToken());
      expect(root(r.output), r.text).toBe('EKS_POD_IDENTITY_TRUST');
    });

    it('names EKS_POD_IDENTITY_UNSUPPORTED for a Pod Identity pod on Fargate', async () => {
      await eksWorld({ pod: rawPod({ env: podIdEnv, volumes: [podIdVolume], nodeName: 'fargate-ip-10-0-1-2.ec2.internal' }), annotations: {}, podRoleTrust: podTrust, association: assoc });
      const r = await eksDiagnose(await eksToken());
      expect(root(r.output), r.text).toBe('EKS_POD_IDENTITY_UNSUPPORTED');
    });
  });

  // ── GitHub Actions ─────────────────────────────────────────────────────────────
  describe('github-actions', () => {
    const ghClaims = (over: Record<string, unknown> = {}) => ({
      iss: GH_ISS, aud: STS, sub: 'repo:octo/app:ref:refs/heads/main', repository: 'octo/app', repository_owner: 'octo', repository_owner_id: '111', repository_id: '222',
      job_workflow_ref: 'octo/app/.github/workflows/deploy.yml@refs/heads/main', workflow: 'deploy', ref: 'refs/heads/main', event_name: 'push', run_id: '42', runner_environment: 'github-hosted', actor: 'mona', ...over,
    });
    const ghToken = async (over: Record<string, unknown> = {}) => mintToken({ key: await testKey('gh-key'), claims: ghClaims(over) });
    async function ghWorld(condition?: Record<string, Record<string, unknown>>) {
      await moto.reset();
      const iam = new IAMClient({});
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: GH_ISS, ClientIDList: [STS], ThumbprintList: [] }));
      const trust = { Version: '2012-10-17', Statement: [allow({ host: GH_HOST, condition: condition ?? { StringEquals: { [`${GH_HOST}:sub`]: 'repo:octo/app:ref:refs/heads/main', [`${GH_HOST}:aud`]: STS } } })] };
      await iam.send(new CreateRoleCommand({ RoleName: 'deploy', AssumeRolePolicyDocument: JSON.stringify(trust) }));
      await servePublic('/gh', { issuer: GH_ISS, keys: ['gh-key'] });
    }
    const ghDiagnose = (token: string) => liveAndReplay({ token, preset: 'github-actions', role_arn: GH_ROLE, issuer: `${srv.origin}/gh` }, http(), [token]);

    it('names nothing for a branch job the policy names (the documented GitHub issuer and keys)', async () => {
      await ghWorld({ StringEquals: { [`${GH_HOST}:sub`]: 'repo:octo/app:ref:refs/heads/main', [`${GH_HOST}:aud`]: STS, [`${GH_HOST}:repository`]: 'octo/app' } });
      const r = await ghDiagnose(await ghToken());
      expect(root(r.output), r.text).toBeNull();
      expect(codes(r.output, 'warn')).not.toContain('TRUST_CONDITION_KEY_UNSUPPORTED');
    });

    it('names GITHUB_SUB_FORM_MISMATCH over TRUST_CONDITION_SUB_MISMATCH, STS_OUTCOME for an environment job against a branch policy; check_role_trust agrees on the sub', async () => {
      await ghWorld();
      const token = await ghToken({ sub: 'repo:octo/app:environment:prod', environment: 'prod' });
      const r = await ghDiagnose(token);
      expectOver(r, 'GITHUB_SUB_FORM_MISMATCH', ['TRUST_CONDITION_SUB_MISMATCH', 'STS_OUTCOME']);
      const tool = await runOk('check_role_trust', { token, role_arn: GH_ROLE });
      expect(codes(tool.output)).toContain('TRUST_CONDITION_SUB_MISMATCH');
    });

    it('names GITHUB_AUDIENCE_NOT_STS over TOKEN_AUDIENCE_MISMATCH, IAM_PROVIDER_AUDIENCE_MISSING, TRUST_CONDITION_AUD_MISMATCH, STS_OUTCOME for GitHub\'s default owner-URL audience', async () => {
      await ghWorld();
      const r = await ghDiagnose(await ghToken({ aud: 'https://github.com/octo' }));
      expectOver(r, 'GITHUB_AUDIENCE_NOT_STS', ['TOKEN_AUDIENCE_MISMATCH', 'IAM_PROVIDER_AUDIENCE_MISSING', 'TRUST_CONDITION_AUD_MISMATCH', 'STS_OUTCOME']);
    });

    it('names TRUST_CONDITION_KEY_UNSUPPORTED for :runner_environment, a claim AWS documents no key for on the GitHub issuer', async () => {
      await ghWorld({ StringEquals: { [`${GH_HOST}:sub`]: 'repo:octo/app:ref:refs/heads/main', [`${GH_HOST}:runner_environment`]: 'github-hosted' } });
      const r = await ghDiagnose(await ghToken());
      expectOver(r, 'TRUST_CONDITION_KEY_UNSUPPORTED', ['STS_OUTCOME']);
    });
  });

  // ── the built CLI ──────────────────────────────────────────────────────────────
  it('runs as `node dist/cli.js diagnose --preset web-identity --role-arn … --json`: one JSON object on stdout, exit 0 / 1 / 3', async () => {
    await wiWorld();
    const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-wi-'));
    const file = join(dir, 'sa.jwt');
    const env = { ...process.env, ...motoEnv(moto.endpoint), NODE_EXTRA_CA_CERTS: srv.caCertPath };
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 99) : 0, stdout, stderr }));
      });
    const base = ['diagnose', '--preset', 'web-identity', '--role-arn', ROLE, '--service-account', 'apps:uploader', '--issuer', pub, '--token-file', file, '--now', NOW_DATE.toISOString(), '--json'];
    const good = await saToken();
    writeFileSync(file, good);
    const ok = await cli(...base, '--kubeconfig', kube.kubeconfig, '--kube-context', kube.context, '--bridge-namespace', 'oidc');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { root_cause: unknown }).root_cause).toBeNull();
    const unreachable = await cli(...base, '--kubeconfig', kube.kubeconfigWith({ token: 'wrong-token-0000' }), '--kube-context', kube.context);
    expect(unreachable.code, unreachable.stdout + unreachable.stderr).toBe(3);
    const bad = await saToken({ iat: -4200, exp: -600 });
    writeFileSync(file, bad);
    const failed = await cli(...base);
    expect(failed.code, failed.stderr).toBe(1);
    const out = JSON.parse(failed.stdout) as { root_cause: { code: string } };
    expect(out.root_cause.code).toBe('TOKEN_EXPIRED');
    for (const t of [good, bad]) expect(ok.stdout + ok.stderr + failed.stdout + failed.stderr + unreachable.stdout).not.toContain(t.split('.')[2]);
  });
});
