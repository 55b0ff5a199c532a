/**
 * `jwt-triage demo`: a built-in broken example that needs no AWS account and no network
 * beyond loopback. It starts a local issuer on 127.0.0.1 (discovery + JWKS, with a key
 * generated now), mints a token with one realistic fault, runs the playbook as an ALB
 * would judge the token, and prints the diagnosis. The token itself is never printed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { FindingCode } from '../checks/codes.js';
import { colorEnabled, paint } from './color.js';
import { Redactor } from '../redact.js';
import { UsageError } from '../sources/errors.js';
import { DEFAULT_HTTP_POLICY } from '../sources/http.js';
import { diagnose } from '../diagnose/playbook.js';
import { renderDiagnosis, sectionRows } from '../diagnose/render.js';

interface Scenario {
  story: string;
  planted: FindingCode;
  /** Claims and header of the token the "user" sends, given the issuer and client ids. */
  token(world: DemoWorld): { claims: JWTPayload & Record<string, unknown>; kid: string };
}

interface DemoWorld {
  issuer: string;
  cliClientId: string;
  albClientId: string;
  now: number;
}

const CURRENT_KID = 'demo-2026-11';
const RETIRED_KID = 'demo-2026-10';

const idClaims = (w: DemoWorld, extra: Record<string, unknown> = {}) => ({
  iss: w.issuer,
  aud: w.cliClientId,
  sub: '3f6c2e1a-demo-user',
  token_use: 'id',
  email: 'dev@example.com',
  auth_time: w.now - 1140,
  iat: w.now - 1140,
  exp: w.now + 2460,
  ...extra,
});

export const DEMO_SCENARIOS: Record<string, Scenario> = {
  'access-token': {
    story: 'The CLI proxy sends the Cognito ACCESS token; the ALB checks aud against the CLI client id, and an access token has no aud.',
    planted: 'TOKEN_WRONG_TYPE',
    token: (w) => ({
      kid: CURRENT_KID,
      claims: { iss: w.issuer, sub: '3f6c2e1a-demo-user', client_id: w.cliClientId, token_use: 'access', scope: 'openid email', auth_time: w.now - 1140, iat: w.now - 1140, exp: w.now + 2460 },
    }),
  },
  expired: {
    story: 'The ID token expired 23 minutes ago (Cognito ID tokens live 1 hour).',
    planted: 'TOKEN_EXPIRED',
    token: (w) => ({ kid: CURRENT_KID, claims: idClaims(w, { iat: w.now - 3600 - 1380, auth_time: w.now - 3600 - 1380, exp: w.now - 1380 }) }),
  },
  'rotated-key': {
    story: 'The token was signed by a key the issuer has since rotated out of its JWKS.',
    planted: 'JWKS_KID_NOT_FOUND',
    token: (w) => ({ kid: RETIRED_KID, claims: idClaims(w) }),
  },
  'wrong-audience': {
    story: 'The token was issued to the ALB app client, not the CLI client the ALB rule expects.',
    planted: 'TOKEN_AUDIENCE_MISMATCH',
    token: (w) => ({ kid: CURRENT_KID, claims: idClaims(w, { aud: w.albClientId }) }),
  },
  'issuer-slash': {
    story: 'The token\'s iss carries a trailing slash that the configured issuer does not.',
    planted: 'TOKEN_ISSUER_MISMATCH',
    token: (w) => ({ kid: CURRENT_KID, claims: idClaims(w, { iss: w.issuer + '/' }) }),
  },
};

async function startIssuer(jwks: unknown): Promise<{ server: Server; origin: string }> {
  let origin = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const issuer = `${origin}/us-east-1_DEMO`;
    if (path === '/us-east-1_DEMO/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer,
          jwks_uri: `${issuer}/.well-known/jwks.json`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    } else if (path === '/us-east-1_DEMO/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, origin };
}

export interface DemoIo {
  out(text: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/** Runs the demo; returns 0 when the diagnosis names the planted fault, 1 otherwise. */
export async function runDemo(argv: string[], io: DemoIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { scenario: { type: 'string' }, json: { type: 'boolean' }, 'no-color': { type: 'boolean' } }, strict: true }));
  } catch (e) {
    throw new UsageError((e as Error).message, 'See: jwt-triage demo --help');
  }
  const name = values.scenario ?? 'access-token';
  const scenario = DEMO_SCENARIOS[name];
  if (!scenario) throw new UsageError(`Unknown scenario "${name}".`, `Choose one of: ${Object.keys(DEMO_SCENARIOS).join(', ')}.`);

  const current = await generateKeyPair('RS256', { extractable: true });
  const retired = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(current.publicKey)), kid: CURRENT_KID, alg: 'RS256', use: 'sig' }] };
  const { server, origin } = await startIssuer(jwks);
  const redactor = new Redactor();
  try {
    const now = Math.floor(Date.now() / 1000);
    const world: DemoWorld = { issuer: `${origin}/us-east-1_DEMO`, cliClientId: '5r2kq8vd1mh3demo0cli9ht4b', albClientId: '1h57kf5cpq17m0eml12albxyz', now };
    const { claims, kid } = scenario.token(world);
    const signingKey = kid === RETIRED_KID ? retired.privateKey : current.privateKey;
    const raw = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(signingKey);
    redactor.add(raw, 'token');

    // The demo runs the real diagnosis, generic preset, with the OpenCode ALB's expectations.
    const result = await diagnose(
      {
        token: { raw, source: 'the demo' },
        preset: 'generic',
        expected: { iss: world.issuer, aud: world.cliClientId, kind: 'id' },
        consumer: 'alb',
        skewSeconds: 60,
        deadlineMs: 10_000,
      },
      {
        now: new Date(now * 1000),
        env: io.env,
        cwd: process.cwd(),
        signal: new AbortController().signal,
        http: { ...DEFAULT_HTTP_POLICY, allowHttpLoopback: true },
        progress: () => undefined,
        secret: (v, label) => void redactor.add(v, label),
        memo: new Map(),
      },
    );
    const found = result.ranked.root?.code;
    const ok = found === scenario.planted;
    if (values.json) {
      io.out(JSON.stringify(redactor.redact({ scenario: name, planted: scenario.planted, root_cause: found ?? null, matched: ok, token_summary: result.token, findings: result.findings }), null, 2));
    } else {
      const color = colorEnabled({ json: false, noColor: values['no-color'] === true, isTTY: io.isTTY, env: io.env });
      io.out(
        redactor.text(
          [
            `jwt-triage demo — scenario "${name}" (others: ${Object.keys(DEMO_SCENARIOS).filter((s) => s !== name).join(', ')})`,
            `A local issuer runs at ${world.issuer} (plain http on loopback, allowed for the demo only).`,
            `The fault: ${scenario.story}`,
            `Checking the token as the OpenCode ALB would (expected aud = CLI client id, RS256, ID token).`,
            '',
            paint(renderDiagnosis(sectionRows(result.sections), result.ranked, 'jwt-triage diagnosis (as the OpenCode ALB would judge it)'), color),
            '',
            ok ? `The demo planted ${scenario.planted}; jwt-triage named it as the root cause.` : `The demo planted ${scenario.planted}, but the diagnosis named ${found ?? 'nothing'}.`,
          ].join('\n'),
        ),
      );
    }
    return ok ? 0 : 1;
  } finally {
    server.close();
  }
}
