/**
 * Read-only proof.
 *  - static: every AWS SDK Command class the source references maps to an IAM action that is on
 *    the allowlist AWS_ACTIONS (plus the opt-in probe, sts:AssumeRoleWithWebIdentity), and every
 *    allowed action is a read (Get/List/Describe/Filter/Lookup, Logs Insights StartQuery);
 *  - dynamic: full diagnoses (opencode and sts presets) and every AWS-backed tool against moto,
 *    through a tiny loopback recording proxy in front of moto (moto 5.2.1 has no per-request log
 *    we can read back, so the proxy records what actually went over the wire: X-Amz-Target for
 *    JSON protocols, Action= for query protocols, method + path for S3). Every request is a read.
 *    The same world carries a 5,000-deep JSON router log line: search_logs counts it and goes on.
 */
import { readdirSync, readFileSync, statSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_ACTIONS } from '../../src/sources/aws/client.js';
import { findTool } from '../../src/tools/index.js';
import { runTool } from '../../src/tools/run.js';
import { need } from '../helpers/needs.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { buildOpencodeWorld } from '../helpers/opencode-world.js';
import { routerLine, seedApiKeys, seedRouterLogs } from '../helpers/opencode-world-data.js';
import { jwksOf, mintToken, NOW, testKey } from '../helpers/tokens.js';

const SERVICE: Record<string, string> = {
  'client-ssm': 'ssm', 'client-elastic-load-balancing-v2': 'elasticloadbalancing', 'client-cloudwatch-logs': 'logs', 'client-dynamodb': 'dynamodb',
  'client-ecs': 'ecs', 'client-s3': 's3', 'client-iam': 'iam', 'client-sts': 'sts', 'client-eks': 'eks', 'client-cloudtrail': 'cloudtrail',
};
/** SDK commands whose IAM action has another name. */
const ACTION_OF: Record<string, string> = { 's3:ListObjectsV2': 's3:ListBucket' };
const PROBE = 'sts:AssumeRoleWithWebIdentity';
const READ = /^[a-z0-9]+:(Get|List|Describe|Filter|Lookup|StartQuery$)/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('static: every AWS command in src is on the allowlist', () => {
  it('maps each imported Command to an allowed read action', () => {
    const used = new Set<string>();
    for (const file of sources(join(__dirname, '../../src'))) {
      const text = readFileSync(file, 'utf8');
      // A source loads its SDK package on first use (loadSdk<…>('@aws-sdk/client-x')) and sends its XCommand classes.
      for (const m of text.matchAll(/loadSdk<\w+>\('@aws-sdk\/(client-[a-z0-9-]+)'\)/g)) {
        const service = SERVICE[m[1]!];
        expect(service, `unknown AWS package ${m[1]} in ${file}`).toBeDefined();
        for (const c of text.matchAll(/\b([A-Z]\w*?)Command\b(?!Output|Input)/g)) used.add(ACTION_OF[`${service}:${c[1]}`] ?? `${service}:${c[1]}`);
        expect(/\bpaginate[A-Z]/.test(text), `${file}: paginators hide the commands they send`).toBe(false);
      }
      // And never imports a client package's values any other way (that would load it at start-up, unchecked here).
      for (const m of text.matchAll(/^import\s+\{([^}]*)\}\s*from\s*'@aws-sdk\/client-[a-z0-9-]+'/gm)) {
        expect(m[0], `${file} imports AWS SDK values eagerly`).toMatch(/^import\s+type\b/);
      }
    }
    expect(used.size, 'no AWS command found: the scan is broken').toBeGreaterThan(10);
    console.log(`read-only (static): ${used.size} AWS actions referenced: ${[...used].sort().join(', ')}`);
    for (const a of used) expect([...AWS_ACTIONS, PROBE], `${a} is not on AWS_ACTIONS`).toContain(a);
    for (const a of AWS_ACTIONS) expect(a, `${a} is not a read`).toMatch(READ);
  });
});

const ready = need('openssl') && need('moto_server');

describe.skipIf(!ready)('dynamic: a full diagnosis against moto sends reads only', () => {
  let moto: Moto;
  let proxy: Server;
  let srv: TestHttpsServer;
  const wire: string[] = [];
  let env: NodeJS.ProcessEnv;
  let tokenFile = '';
  let idFile = '';
  let keyFile = '';
  const roleArn = 'arn:aws:iam::123456789012:role/uploader';

  beforeAll(async () => {
    moto = (await useMoto())!;
    const target = new URL(moto.endpoint);
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const tgt = req.headers['x-amz-target'];
        const action = typeof tgt === 'string' ? tgt.split('.').pop()! : /(?:^|&)Action=(\w+)/.exec(body.toString('utf8'))?.[1];
        const auth = String(req.headers.authorization ?? '');
        const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? '?';
        wire.push(action ? `${service}:${action}` : `${service}:${req.method} ${req.url?.split('?')[0]}`);
        const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on('error', () => res.destroy());
        up.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxied = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-ro-'));
    const key = await testKey('ro-key');
    srv = await startHttpsServer();
    const issuer = `${srv.origin}/ro`;
    srv.routes.set('/ro/.well-known/openid-configuration', { json: { issuer, jwks_uri: `${issuer}/jwks.json`, id_token_signing_alg_values_supported: ['RS256'] } });
    srv.routes.set('/ro/jwks.json', { json: jwksOf(key) });
    const shift = Math.floor(Date.now() / 1000) - NOW;
    const sub = 'system:serviceaccount:apps:uploader';
    tokenFile = join(dir, 'sa.jwt');
    idFile = join(dir, 'id.jwt');
    writeFileSync(tokenFile, await mintToken({ key, iat: shift - 60, exp: shift + 3600, claims: { iss: issuer, aud: ['sts.amazonaws.com'], sub } }));
    writeFileSync(idFile, await mintToken({ key, iat: shift - 60, exp: shift + 3600, claims: { iss: issuer, aud: 'cli-client-ro', sub: 'u-1', token_use: 'id' } }));

    // The world is built straight against moto (writes), not through the proxy.
    Object.assign(process.env, motoEnv(moto.endpoint));
    await buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl: `${issuer}/jwks.json`, cliClientId: 'cli-client-ro' });
    const keys = await seedApiKeys(moto.endpoint, { env: 'dev', now: new Date() });
    keyFile = join(dir, 'key');
    writeFileSync(keyFile, keys.active);
    const now = Date.now();
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    await seedRouterLogs(moto.endpoint, { env: 'dev', lines: [
      [now - 90_000, routerLine(new Date(now - 90_000), 'Request completed', { status: 200, path: '/v1/models' })],
      [now - 80_000, deep],
      [now - 70_000, routerLine(new Date(now - 70_000), 'Request failed', { status: 401, path: '/v1/models' }, 'ERROR')],
    ] });
    const host = issuer.replace(/^https:\/\//, '');
    const iam = new IAMClient({});
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'uploader', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${host}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${host}:sub`]: sub } } }] }) }));
    env = { ...process.env, ...motoEnv(proxied) };
    process.env.AWS_ENDPOINT_URL = proxied;
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => proxy?.close(r));
    await srv?.close();
    await moto?.stop();
  });

  it('records only reads on the wire', async () => {
    const http = { ca: srv.caCert };
    const calls: Array<[string, Record<string, unknown>]> = [
      ['diagnose_rejection', { token_file: idFile, preset: 'opencode', env: 'dev' }],
      ['diagnose_rejection', { token_file: tokenFile, preset: 'sts', role_arn: roleArn }],
      ['get_ssm_parameters', { env: 'dev' }],
      ['describe_listener_rules', { env: 'dev' }],
      ['check_alb_jwt_config', { env: 'dev', token_file: idFile }],
      ['simulate_request', { env: 'dev', path: '/v1/models', token_file: idFile }],
      ['check_api_key', { api_key_file: keyFile, env: 'dev' }],
      ['search_logs', { env: 'dev', since: '1h' }],
      ['search_alb_access_logs', { env: 'dev', since: '1h' }],
      ['check_iam_oidc_provider', { token_file: tokenFile }],
      ['check_role_trust', { token_file: tokenFile, role_arn: roleArn }],
      ['predict_sts_outcome', { token_file: tokenFile, role_arn: roleArn }],
    ];
    const results: Record<string, unknown> = {};
    for (const [name, input] of calls) {
      const r = await runTool(findTool(name)!, input, { env, http });
      expect(r.ok, `${name}: ${r.ok ? '' : r.message}`).toBe(true);
      results[name] = r.ok ? r.output : undefined;
    }
    const distinct = [...new Set(wire)].sort();
    console.log(`read-only (dynamic): ${wire.length} AWS requests recorded by the proxy; distinct: ${distinct.join(', ')}`);
    expect(wire.length).toBeGreaterThan(15);
    for (const w of wire) {
      if (w.startsWith('s3:')) expect(w, 'S3 requests are GETs').toMatch(/^s3:GET /);
      else expect(w, `${w} is not a read`).toMatch(READ);
    }
    // The 5,000-deep line did not abort search_logs: the other lines were counted around it.
    const logs = results.search_logs as { counts?: { events: number } ; verdict: string } | undefined;
    expect(JSON.stringify(logs)).toMatch(/Request failed/);
  }, 120_000);
});
