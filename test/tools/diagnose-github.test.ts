/**
 * diagnose_rejection with preset github-actions (and the sts preset's ES256 world), against a
 * real moto server (IAM provider + role) and a loopback HTTPS issuer playing GitHub's token
 * service in its GHES form (`https://HOST/_services/token`: the one GitHub issuer form a
 * loopback host can take). GitHub-shaped tokens are minted here. One world per root cause.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../e2e/client.js';
import { codes, runOk } from '../helpers/ctx.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { jwksOf, mintToken, NOW_DATE, testKey } from '../helpers/tokens.js';

const ready = need('openssl') && need('moto_server');
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deploy`;

describe.skipIf(!ready)('diagnose_rejection preset github-actions against moto', () => {
  let moto: Moto;
  let srv: TestHttpsServer;
  let issuer: string;
  let url: string;
  const http = () => ({ http: { ca: srv.caCert } });
  const root = (out: Record<string, unknown>) => (out.root_cause as { code: string; detail: string } | null) ?? undefined;

  beforeAll(async () => {
    moto = (await useMoto())!;
    Object.assign(process.env, motoEnv(moto.endpoint));
    srv = await startHttpsServer();
    // For the in-process CLI run (no per-call CA): read once by sources/http.ts, so set it first.
    process.env.NODE_EXTRA_CA_CERTS = srv.caCertPath;
    issuer = `${srv.origin}/_services/token`;
    url = issuer.replace('https://', '');
    const key = await testKey('gh-key');
    const ec = await testKey('cluster-ec', 'ES256');
    srv.routes.set('/_services/token/.well-known/openid-configuration', { json: { issuer, jwks_uri: `${issuer}/.well-known/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] } });
    srv.routes.set('/_services/token/.well-known/jwks', { json: jwksOf(key) });
    // An ES256-signing Kubernetes cluster (STS accepts ES256).
    srv.routes.set('/cluster/.well-known/openid-configuration', { json: { issuer: `${srv.origin}/cluster`, jwks_uri: `${srv.origin}/cluster/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'] } });
    srv.routes.set('/cluster/openid/v1/jwks', { json: jwksOf(ec) });
  });
  afterAll(async () => {
    await srv?.close();
    await moto?.stop();
  });

  const claims = (over: Record<string, unknown> = {}) => ({
    iss: issuer, aud: 'sts.amazonaws.com', sub: 'repo:octo/app:ref:refs/heads/main', repository: 'octo/app', repository_owner: 'octo', repository_owner_id: '111', repository_id: '222',
    job_workflow_ref: 'octo/app/.github/workflows/deploy.yml@refs/heads/main', workflow: 'deploy', ref: 'refs/heads/main', event_name: 'push', run_id: '42', runner_environment: 'github-hosted', actor: 'mona', ...over,
  });
  const ghToken = async (over: Record<string, unknown> = {}) => mintToken({ key: await testKey('gh-key'), claims: claims(over) });

  async function world(o: { provider?: boolean; condition?: Record<string, Record<string, unknown>> } = {}) {
    await moto.reset();
    const iam = new IAMClient({});
    if (o.provider !== false) await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [] }));
    const condition = o.condition ?? { StringEquals: { [`${url}:sub`]: 'repo:octo/app:ref:refs/heads/main', [`${url}:aud`]: 'sts.amazonaws.com' } };
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${url}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'deploy', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  }
  const diagnose = async (token: string) => runOk('diagnose_rejection', { token, preset: 'github-actions', role_arn: ROLE }, http());

  it('passes a branch job whose ref sub the policy names, with the GitHub section', async () => {
    await world();
    const r = await diagnose(await ghToken());
    expect(r.output.verdict, r.text).toBe('pass');
    expect((r.output.sections as Array<{ label: string }>).map((s) => s.label)).toEqual(expect.arrayContaining(['Provider', 'GitHub Actions', 'Trust policy', 'STS answer']));
    expect((r.output.expectations as { aud: string }).aud).toBe('sts.amazonaws.com');
  });

  it('passes a tag job against a StringLike refs/tags policy', async () => {
    await world({ condition: { StringLike: { [`${url}:sub`]: 'repo:octo/app:ref:refs/tags/v*' }, StringEquals: { [`${url}:aud`]: 'sts.amazonaws.com' } } });
    const r = await diagnose(await ghToken({ sub: 'repo:octo/app:ref:refs/tags/v1.2.0', ref: 'refs/tags/v1.2.0' }));
    expect(r.output.verdict, r.text).toBe('pass');
  });

  it('names GITHUB_SUB_FORM_MISMATCH for an environment job against a ref policy, in GitHub\'s words', async () => {
    await world();
    const r = await diagnose(await ghToken({ sub: 'repo:octo/app:environment:prod', environment: 'prod' }));
    expect(root(r.output)?.code, r.text).toBe('GITHUB_SUB_FORM_MISMATCH');
    expect(root(r.output)?.detail).toContain('this job runs in environment prod');
    expect(root(r.output)?.detail).toContain('so its sub is "repo:octo/app:environment:prod"; your policy expects a ref (refs/heads/main)');
    expect(codes(r.output)).toContain('TRUST_CONDITION_SUB_MISMATCH');
  });

  it('names GITHUB_SUB_FORM_MISMATCH for a pull_request job against a ref policy', async () => {
    await world();
    const r = await diagnose(await ghToken({ sub: 'repo:octo/app:pull_request', event_name: 'pull_request', ref: 'refs/pull/7/merge' }));
    expect(root(r.output)?.code, r.text).toBe('GITHUB_SUB_FORM_MISMATCH');
    expect(root(r.output)?.detail).toContain('a pull_request event');
  });

  it('names GITHUB_SUB_FORM_MISMATCH for the immutable OWNER@ID/REPO@ID form against a names policy', async () => {
    await world();
    const r = await diagnose(await ghToken({ sub: 'repo:octo@111/app@222:ref:refs/heads/main' }));
    expect(root(r.output)?.code, r.text).toBe('GITHUB_SUB_FORM_MISMATCH');
    expect(root(r.output)?.detail).toMatch(/immutable sub form/);
  });

  it('names GITHUB_SUB_FORM_MISMATCH for a custom sub template (include_claim_keys)', async () => {
    await world();
    const r = await diagnose(await ghToken({ sub: 'repository_owner_id:111:repository_id:222:ref:refs/heads/main' }));
    expect(root(r.output)?.code, r.text).toBe('GITHUB_SUB_FORM_MISMATCH');
    expect(root(r.output)?.detail).toMatch(/custom sub template/);
  });

  it('names GITHUB_AUDIENCE_NOT_STS for GitHub\'s default owner-URL audience', async () => {
    await world();
    const r = await diagnose(await ghToken({ aud: 'https://github.com/octo' }));
    expect(root(r.output)?.code, r.text).toBe('GITHUB_AUDIENCE_NOT_STS');
    expect(codes(r.output)).toEqual(expect.arrayContaining(['TOKEN_AUDIENCE_MISMATCH', 'IAM_PROVIDER_AUDIENCE_MISSING']));
  });

  it('names TOKEN_LENGTH_INVALID for a token over 20,000 characters (STS answers ValidationError first)', async () => {
    await world({ provider: false });
    const r = await diagnose(await ghToken({ pad: 'x'.repeat(20000) }));
    expect(root(r.output)?.code, r.text).toBe('TOKEN_LENGTH_INVALID');
  });

  it('names IAM_OIDC_PROVIDER_MISSING when the account has no provider for the issuer', async () => {
    await world({ provider: false });
    const r = await diagnose(await ghToken());
    expect(root(r.output)?.code, r.text).toBe('IAM_OIDC_PROVIDER_MISSING');
  });

  it('passes a condition on the GitHub key repository for a GHES provider, warning that this is an assumption', async () => {
    await world({ condition: { StringEquals: { [`${url}:sub`]: 'repo:octo/app:ref:refs/heads/main', [`${url}:repository`]: 'octo/app' } } });
    const r = await diagnose(await ghToken());
    expect(r.output.verdict, r.text).toBe('pass');
    expect(codes(r.output, 'warn')).toContain('TRUST_CONDITION_KEY_UNSUPPORTED');
  });

  it('names TRUST_CONDITION_KEY_UNSUPPORTED for a condition on a claim IAM does not evaluate', async () => {
    await world({ condition: { StringEquals: { [`${url}:sub`]: 'repo:octo/app:ref:refs/heads/main', [`${url}:runner_environment`]: 'github-hosted' } } });
    const r = await diagnose(await ghToken());
    expect(root(r.output)?.code, r.text).toBe('TRUST_CONDITION_KEY_UNSUPPORTED');
    expect(codes(r.output)).not.toContain('GITHUB_SUB_FORM_MISMATCH');
  });

  it('gives no false root cause for an ES256 cluster token STS would accept (preset sts)', async () => {
    await moto.reset();
    const iam = new IAMClient({});
    const cluster = `${srv.origin}/cluster`;
    const host = cluster.replace('https://', '');
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: cluster, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [] }));
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${host}:sub`]: 'system:serviceaccount:apps:uploader', [`${host}:aud`]: 'sts.amazonaws.com' } } }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'uploader', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const token = await mintToken({ key: await testKey('cluster-ec', 'ES256'), claims: { iss: cluster, aud: ['sts.amazonaws.com'], sub: 'system:serviceaccount:apps:uploader', 'kubernetes.io': { namespace: 'apps' } } });
    const r = await runOk('diagnose_rejection', { token, preset: 'sts', role_arn: `arn:aws:iam::${ACCOUNT}:role/uploader` }, http());
    expect(r.output.verdict, r.text).toBe('pass');
    expect(root(r.output)).toBeUndefined();
  });

  it('runs as `jwt-triage diagnose --preset github-actions --role-arn … --token-file … --json` with the usual exit codes', async () => {
    await world();
    const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-gh-'));
    const file = join(dir, 'gha.jwt');
    // The built CLI as a real process (npm test builds dist first), trusting the loopback CA.
    const env = { ...process.env, ...motoEnv(moto.endpoint), NODE_EXTRA_CA_CERTS: srv.caCertPath };
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [CLI, ...args, '--no-color'], { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 99) : 0, stdout, stderr }));
      });
    const args = ['diagnose', '--preset', 'github-actions', '--role-arn', ROLE, '--token-file', file, '--now', NOW_DATE.toISOString(), '--json'];
    const good = await ghToken();
    writeFileSync(file, good);
    const ok = await cli(...args);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const bad = await ghToken({ sub: 'repo:octo/app:environment:prod', environment: 'prod' });
    writeFileSync(file, bad);
    const failed = await cli(...args);
    expect(failed.code).toBe(1);
    expect((JSON.parse(failed.stdout) as { root_cause: { code: string } }).root_cause.code).toBe('GITHUB_SUB_FORM_MISMATCH');
    for (const t of [good, bad]) expect(ok.stdout + ok.stderr + failed.stdout + failed.stderr).not.toContain(t.split('.')[2]);
  });
});
