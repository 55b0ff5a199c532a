/**
 * The package as a user gets it: `npm pack` from a copy of the sources (its `prepack` builds
 * dist/ there; the repository's dist/ is not touched), the tarball's file list, `npm install` of
 * the tarball into an empty project, and then two clients nobody here wrote driving the INSTALLED
 * bin (node_modules/.bin/jwt-triage, as npx runs it):
 *  - the SDK's Client over stdio: diagnose_rejection on a broken moto world (the ALB holds a stale
 *    issuer) names ALB_JWT_CONFIG_MISMATCH; the prompts carry the shipped skills' playbooks;
 *  - the MCP Inspector CLI under Node 22: tools/list with --strict (no portability warning),
 *    tools/call decode_token and diagnose_rejection.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../helpers/clients.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { buildOpencodeWorld } from '../helpers/opencode-world.js';
import { jwksOf, mintToken, NOW, testKey } from '../helpers/tokens.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ready = need('openssl') && need('moto_server');
const CLI_CLIENT = '5r2kq8vd1mh3cliclient0001';

let work: string;
let tarball: string;
let listing: string[];
let bin: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'jwt-triage-pkg-'));
  // A fresh-clone stand-in: the tracked inputs of the build, and the installed dev tools.
  const src = join(work, 'src-copy');
  mkdirSync(src);
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE', 'src', 'skills', 'scripts']) cpSync(join(ROOT, f), join(src, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir');
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: src, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } }).trim().split('\n').pop()!;
  tarball = join(work, name);
  listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"private":true}\n');
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app, stdio: ['ignore', 'ignore', 'pipe'] });
  bin = join(app, 'node_modules', '.bin', 'jwt-triage');
}, 240_000);

describe('npm pack', () => {
  it('ships a built dist/, the skills, the LICENSE and README — and no source maps or sources', () => {
    expect(listing).toContain('package/dist/cli.js');
    expect(listing).toContain('package/dist/server.js');
    expect(listing).toContain('package/skills/jwt-debug/SKILL.md');
    expect(listing).toContain('package/skills/web-identity-debug/references/sts-errors.md');
    expect(listing).toContain('package/LICENSE');
    expect(listing).toContain('package/README.md');
    expect(listing.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(listing.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toEqual([]);
  });

  it('installs a jwt-triage bin that runs', () => {
    expect(existsSync(bin)).toBe(true);
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe.skipIf(!ready)('the SDK client drives the installed package', () => {
  let moto: Moto;
  let srv: TestHttpsServer;
  let sdk: Client;
  let tokenFile: string;

  beforeAll(async () => {
    moto = (await useMoto())!;
    srv = await startHttpsServer();
    const issuer = `${srv.origin}/us-east-1_POOL`;
    const key = await testKey('pool-key');
    srv.routes.set('/us-east-1_POOL/.well-known/openid-configuration', {
      json: { issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] },
    });
    srv.routes.set('/us-east-1_POOL/.well-known/jwks.json', { json: jwksOf(key) });
    await moto.reset();
    // Broken the way a stale cdk.context.json breaks it: the ALB validates against an old pool.
    await buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, cliClientId: CLI_CLIENT, break: { albIssuer: `${srv.origin}/us-east-1_OLDPOOL` } });
    const shift = Math.floor(Date.now() / 1000) - NOW;
    tokenFile = join(work, 'id_token');
    writeFileSync(tokenFile, await mintToken({ key, iat: shift - 60, exp: shift + 3600, claims: { iss: issuer, aud: CLI_CLIENT, sub: 'u1', token_use: 'id' } }));
    const transport = new StdioClientTransport({
      command: bin,
      args: [],
      env: { PATH: process.env.PATH ?? '', HOME: work, JWT_TRIAGE_LOG: 'warn', NODE_EXTRA_CA_CERTS: srv.caCertPath, ...motoEnv(moto.endpoint) },
      stderr: 'pipe',
    });
    sdk = new Client({ name: 'jwt-triage-installed', version: '0.0.0' });
    await sdk.connect(transport);
  }, 120_000);

  afterAll(async () => {
    await sdk?.close();
    await srv?.close();
    await moto?.stop();
  });

  it('diagnose_rejection names ALB_JWT_CONFIG_MISMATCH as the root cause on a stale-ALB world', async () => {
    const r = await sdk.callTool({ name: 'diagnose_rejection', arguments: { token_file: tokenFile, preset: 'opencode', env: 'dev' } });
    const text = (r.content as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n');
    expect(r.isError, text).toBeFalsy();
    const out = r.structuredContent as { verdict: string; root_cause?: { code: string; fix?: string } };
    expect(out.verdict).toBe('fail');
    expect(out.root_cause?.code, text).toBe('ALB_JWT_CONFIG_MISMATCH');
    expect(text).toContain('npx cdk context --clear');
  });

  it('serves the prompts with the shipped playbooks, and the resources', async () => {
    const p = await sdk.getPrompt({ name: 'debug_401', arguments: { env: 'dev', token_file: tokenFile } });
    const t = p.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
    expect(t).toContain('# Debug a 401/403 at a JWT-validating ALB');
    const { resources } = await sdk.listResources();
    expect(resources.map((x) => x.uri).sort()).toEqual(['jwt-triage://codes', 'jwt-triage://precedence']);
  });
});

const node22 = client('node22');
const inspector = client('inspector');

describe.skipIf(!node22 || !inspector)('the MCP Inspector CLI (Node 22) drives the installed package', () => {
  let home: string;
  // The Inspector stores stdio env values under HOME; give it an empty one.
  const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((done) => {
      execFile(node22!, [inspector!, '--cli', node22!, join(work, 'app', 'node_modules', 'jwt-triage', 'dist', 'cli.js'), ...args], { timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: home } }, (err, stdout, stderr) => {
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'jwt-triage-inspector-'));
    const shift = Math.floor(Date.now() / 1000) - NOW;
    writeFileSync(join(work, 'wrong-aud'), await mintToken({ key: await testKey('k1'), iat: shift - 60, exp: shift + 3600, claims: { iss: 'https://issuer.example', aud: 'someone-else', sub: 'u1' } }));
  });

  it('lists the tools, and --strict finds no portability problem in any schema', async () => {
    const r = await run(['serve', '--toolsets', 'all', '--method', 'tools/list', '--strict']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Warning|error/i);
    const names = (JSON.parse(r.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(names).toContain('diagnose_rejection');
    expect(names).toContain('decode_token');
    expect(names.length).toBeGreaterThanOrEqual(24);
  });

  it('calls decode_token', async () => {
    const r = await run(['--method', 'tools/call', '--tool-name', 'decode_token', '--tool-arg', `token_file=${join(work, 'wrong-aud')}`]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { isError?: boolean; structuredContent: Record<string, unknown> };
    expect(out.isError).toBeFalsy();
    expect(JSON.stringify(out.structuredContent)).toMatch(/sha256:[0-9a-f]{12}/);
    expect(r.stdout).not.toContain(execFileSync('cat', [join(work, 'wrong-aud')], { encoding: 'utf8' }).split('.')[2]);
  });

  it('calls diagnose_rejection and gets the root cause', async () => {
    const r = await run(['--method', 'tools/call', '--tool-name', 'diagnose_rejection', '--tool-arg', `token_file=${join(work, 'wrong-aud')}`, 'offline=true', 'expected_audience=the-cli-client']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { structuredContent: { verdict: string; root_cause: { code: string } } };
    expect(out.structuredContent.verdict).toBe('fail');
    expect(out.structuredContent.root_cause.code).toBe('TOKEN_AUDIENCE_MISMATCH');
  });
});
