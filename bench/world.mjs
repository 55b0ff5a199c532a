/**
 * One world for the whole bench: a moto server (the tests' launcher, with jwt-validation
 * allowed), a loopback HTTPS issuer (discovery + JWKS) that counts requests and TLS
 * handshakes, the OpenCode Stack built in moto by test/helpers/opencode-world.ts, router
 * logs, and an ID token whose audience is wrong (a typical failure).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { clearTimeout, setTimeout } from 'node:timers';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importHelper, ROOT } from './helpers.mjs';

export const CLI_CLIENT = '5r2kq8vd1mh3cliclient0001';

export async function launchMoto() {
  const child = spawn(process.env.MOTO_PYTHON ?? 'python3', [join(ROOT, 'test/helpers/moto_launcher.py'), '-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`moto did not start within 20 s: ${buf.slice(-300)}`)), 20_000);
    const onData = (d) => {
      buf += d;
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    child.on('exit', (c) => reject(new Error(`moto exited with ${c}: ${buf.slice(-300)}`)));
  });
  child.stderr.resume();
  child.stdout.resume();
  for (let i = 0; i < 50; i++) {
    try {
      if ((await globalThis.fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      /* not ready */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    stop: () =>
      new Promise((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

export const motoEnv = (endpoint) => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

export async function buildWorld() {
  const [worldMod, dataMod, httpsMod, tokensMod] = await Promise.all([
    importHelper('test/helpers/opencode-world.ts'),
    importHelper('test/helpers/opencode-world-data.ts'),
    importHelper('test/helpers/https-server.ts'),
    importHelper('test/helpers/tokens.ts'),
  ]);
  const moto = await launchMoto();
  Object.assign(process.env, motoEnv(moto.endpoint));
  const srv = await httpsMod.startHttpsServer();
  const issuer = `${srv.origin}/us-east-1_POOL`;
  const jwksUrl = `${issuer}/.well-known/jwks.json`;
  const key = await tokensMod.testKey('pool-key');
  srv.routes.set('/us-east-1_POOL/.well-known/openid-configuration', {
    json: { issuer, jwks_uri: jwksUrl, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] },
  });
  srv.routes.set('/us-east-1_POOL/.well-known/jwks.json', { json: tokensMod.jwksOf(key) });
  const world = await worldMod.buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl, cliClientId: CLI_CLIENT });
  const now = Math.floor(Date.now() / 1000) - tokensMod.NOW;
  // The failure: the token was issued for another app client (the seed skill's own example).
  const token = await tokensMod.mintToken({ key, iat: now - 60, exp: now + 3600, claims: { iss: issuer, aud: 'wrong-client-id', sub: 'u1', token_use: 'id' } });
  const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-bench-'));
  const tokenFile = join(dir, 'id_token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  return { moto, srv, issuer, jwksUrl, world, token, tokenFile, dir, data: dataMod, tokens: tokensMod, key };
}
