/**
 * World suite for the opencode and generic presets of diagnose_rejection: each world plants one
 * fault in real backends — moto (SSM, ELBv2 with jwt-validation rules, DynamoDB) and a loopback
 * HTTPS issuer — and the diagnosis must name it as the root cause (`names CODE`), or the planted
 * cause over the effects it explains (`names CAUSE over EFFECT…`, the PRECEDENCE rows of
 * src/diagnose/rank.ts). Every world also replays from its snapshot to the same answer; where a
 * single-purpose tool judges the same fact, it runs on the same world and must agree.
 * Codes the diagnosis never names as root here are in ./not-a-root.opencode.ts, with why.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { CompactEncrypt, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, runOk } from '../helpers/ctx.js';
import { liveAndReplay, root, rowLine, section, type Out } from '../helpers/diagnose-world.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { buildOpencodeWorld, type WorldBreak } from '../helpers/opencode-world.js';
import { seedApiKeys } from '../helpers/opencode-world-data.js';
import { jwksOf, mintToken, NOW, NOW_DATE, testKey, type TestKey } from '../helpers/tokens.js';

const ready = need('openssl') && need('moto_server');
const CLI_CLIENT = '5r2kq8vd1mh3cliclient0001';
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
/** A compact JWS with any header, signed (or not) by hand: for algorithms jose does not sign. */
const handMade = (header: Record<string, unknown>, claims: Record<string, unknown>, sig = b64('not-a-signature')) => `${b64(header)}.${b64(claims)}.${sig}`;
/** The token as a planted secret (an unsecured token has no signature to leak). */
const secretOf = (token: unknown) => (typeof token === 'string' && !token.endsWith('.') ? token : '');
const all = (out: Out) => (out.findings as Array<{ code: string; status: string }>).filter((f) => f.status === 'fail' || f.status === 'warn').map((f) => f.code);

describe.skipIf(!ready)('diagnose worlds: the opencode and generic presets', () => {
  let moto: Moto;
  let srv: TestHttpsServer;
  let issuer: string;
  let poolKey: TestKey;
  /** Not the pool's key, but published under the pool key's kid (a key swapped behind the same kid). */
  let impostor: TestKey;
  const http = () => ({ http: { ca: srv.caCert } });
  const planted: string[] = [];

  /** An issuer at /<name>: discovery and JWKS routes (override either, or any route). */
  function serveIssuer(name: string, o: { discovery?: unknown; jwks?: unknown; routes?: Record<string, Parameters<TestHttpsServer['routes']['set']>[1]> } = {}) {
    const iss = `${srv.origin}/${name}`;
    srv.routes.set(`/${name}/.well-known/openid-configuration`, {
      json: o.discovery ?? { issuer: iss, jwks_uri: `${iss}/.well-known/jwks.json`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] },
    });
    srv.routes.set(`/${name}/.well-known/jwks.json`, { json: o.jwks ?? jwksOf(poolKey) });
    for (const [path, route] of Object.entries(o.routes ?? {})) srv.routes.set(path, route);
    return { iss, jwks: `${iss}/.well-known/jwks.json` };
  }

  beforeAll(async () => {
    moto = (await useMoto())!;
    Object.assign(process.env, motoEnv(moto.endpoint));
    srv = await startHttpsServer();
    poolKey = await testKey('pool-key');
    const other = await testKey('impostor-key');
    impostor = { ...other, kid: 'pool-key', jwk: { ...other.jwk, kid: 'pool-key' } };
    issuer = serveIssuer('us-east-1_POOL').iss;
  });
  afterAll(async () => {
    await srv?.close();
    await moto?.stop();
  });

  const idToken = (claims: Record<string, unknown> = {}, o: { exp?: number | null; iat?: number | null; nbf?: number | null; key?: TestKey; header?: Record<string, unknown> } = {}) =>
    mintToken({ key: o.key ?? poolKey, header: o.header, claims: { iss: issuer, aud: CLI_CLIENT, sub: 'u1', token_use: 'id', ...claims }, exp: o.exp, iat: o.iat, nbf: o.nbf });

  describe('preset opencode (the ALB verifies)', () => {
    const world = async (brk: WorldBreak = {}, o: { jwksUrl?: string } = {}) => {
      await moto.reset();
      return buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl: o.jwksUrl ?? `${issuer}/.well-known/jwks.json`, cliClientId: CLI_CLIENT, break: brk });
    };
    const diagnose = (input: Record<string, unknown>) => liveAndReplay({ preset: 'opencode', env: 'dev', ...input }, http(), [...planted, secretOf(input.token)]);
    const expectRoot = (out: Out, code: string, text: string) => expect(root(out), text).toBe(code);
    const expectAlso = (out: Out, effects: string[], text: string) => expect(all(out), text).toEqual(expect.arrayContaining(effects));

    describe('an aud claim that lists several values (rule 5 and 3)', () => {
      const audClaim = (format: 'single-string' | 'string-array', values: string[]): WorldBreak => ({
        rules: (chain) => chain.map((r) => ({
          ...r,
          actions: r.actions.map((a) => (a.Type === 'jwt-validation' ? { ...a, JwtValidationConfig: { ...a.JwtValidationConfig!, AdditionalClaims: [{ Name: 'aud', Format: format, Values: values }] } } : a)),
        })),
      });
      it('names nothing for a token whose aud is the second of two listed values (not only the first is read)', async () => {
        await world(audClaim('single-string', ['4albclient0000000000000000', CLI_CLIENT]));
        const r = await diagnose({ token: await idToken() });
        expect(root(r.output), r.text).toBeNull();
        expect(section(r.output, 'Audience match')?.status).toBe('pass');
      });
      it('names nothing for an aud array under Format string-array', async () => {
        await world(audClaim('string-array', [CLI_CLIENT]));
        const r = await diagnose({ token: await idToken({ aud: ['another-client', CLI_CLIENT] }) });
        expect(root(r.output), r.text).toBeNull();
      });
      it('names TOKEN_AUDIENCE_MISMATCH when none of the listed values is the token\'s, listing them all', async () => {
        await world(audClaim('single-string', ['4albclient0000000000000000', CLI_CLIENT]));
        const r = await diagnose({ token: await idToken({ aud: 'someone-else' }) });
        expectRoot(r.output, 'TOKEN_AUDIENCE_MISMATCH', r.text);
        expect((r.output.root_cause as { detail: string }).detail).toContain('None of the 2 values the ALB lists');
      });
    });

    describe('the token (one healthy stack: only the token changes)', () => {
      let keys: Awaited<ReturnType<typeof seedApiKeys>>;
      beforeAll(async () => {
        await world();
        keys = await seedApiKeys(moto.endpoint, { env: 'dev', now: NOW_DATE });
      });

      it('names TOKEN_MALFORMED for a value that is not a JWT, and the ALB answers 401', async () => {
        const r = await diagnose({ token: 'eyJhbGciOiJSUzI1NiJ9.not-json' });
        expectRoot(r.output, 'TOKEN_MALFORMED', r.text);
        expect(rowLine(r, 'Request')).toMatch(/→ 401/);
      });

      it('names TOKEN_UNSECURED for an alg "none" token', async () => {
        const r = await diagnose({ token: handMade({ alg: 'none', typ: 'JWT' }, { iss: issuer, aud: CLI_CLIENT, sub: 'u1', token_use: 'id', iat: NOW, exp: NOW + 3600 }, '') });
        expectRoot(r.output, 'TOKEN_UNSECURED', r.text);
      });

      it('names TOKEN_ENCRYPTED for a JWE (the ALB verifies signed JWTs only)', async () => {
        const { publicKey } = await generateKeyPair('RSA-OAEP-256');
        const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify({ iss: issuer, aud: CLI_CLIENT, exp: NOW + 3600 }))).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }).encrypt(publicKey);
        const r = await diagnose({ token: jwe });
        expectRoot(r.output, 'TOKEN_ENCRYPTED', r.text);
        expect(rowLine(r, 'Request')).toMatch(/→ 401/);
      });

      it('names TOKEN_EXPIRED over API_KEY_SHADOWED_BY_BEARER, ALB_REQUEST_REJECTED: an expired Bearer with a valid key still gets 401', async () => {
        process.env.OC_KEY_SHADOWED = keys.active;
        planted.push(keys.active);
        const r = await diagnose({ token: await idToken({}, { iat: -7200, exp: -1800 }), api_key_env: 'OC_KEY_SHADOWED' });
        expectRoot(r.output, 'TOKEN_EXPIRED', r.text);
        expectAlso(r.output, ['API_KEY_SHADOWED_BY_BEARER', 'ALB_REQUEST_REJECTED'], r.text);
        const tool = await runOk('check_token_time', { token: await idToken({}, { iat: -7200, exp: -1800 }) });
        expect(codes(tool.output)).toContain('TOKEN_EXPIRED');
      });

      it('names TOKEN_NOT_YET_VALID for an nbf an hour ahead', async () => {
        const r = await diagnose({ token: await idToken({}, { nbf: 3600, exp: 7200 }) });
        expectRoot(r.output, 'TOKEN_NOT_YET_VALID', r.text);
      });

      it('names TOKEN_ISSUED_IN_FUTURE for an iat an hour ahead (a clock is wrong)', async () => {
        const r = await diagnose({ token: await idToken({}, { iat: 3600, exp: 7200 }) });
        expectRoot(r.output, 'TOKEN_ISSUED_IN_FUTURE', r.text);
      });

      it('names TOKEN_NO_EXPIRY for a token without exp (the ALB requires one)', async () => {
        const r = await diagnose({ token: await idToken({}, { exp: null }) });
        expectRoot(r.output, 'TOKEN_NO_EXPIRY', r.text);
      });

      it('names TOKEN_ISSUER_MISMATCH for an iss with a trailing slash against the live rule 5; check_alb_jwt_config agrees', async () => {
        const token = await idToken({ iss: `${issuer}/` });
        const r = await diagnose({ token });
        expectRoot(r.output, 'TOKEN_ISSUER_MISMATCH', r.text);
        expect(r.text).toMatch(/trailing slash/);
        const tool = await runOk('check_alb_jwt_config', { env: 'dev', token }, http());
        expect(codes(tool.output)).toContain('TOKEN_ISSUER_MISMATCH');
      });

      it('names TOKEN_AUDIENCE_MISMATCH for an aud array where rule 5 requires a single string', async () => {
        const r = await diagnose({ token: await idToken({ aud: [CLI_CLIENT, 'another-client'] }) });
        expectRoot(r.output, 'TOKEN_AUDIENCE_MISMATCH', r.text);
        expect(r.text).toMatch(/single string/);
      });

      it('names TOKEN_SUBJECT_MISMATCH when the caller expects another sub', async () => {
        const r = await diagnose({ token: await idToken({ sub: 'u1' }), expected_subject: 'u2' });
        expectRoot(r.output, 'TOKEN_SUBJECT_MISMATCH', r.text);
      });

      it('names TOKEN_WRONG_TYPE over TOKEN_AUDIENCE_MISMATCH, ALB_REQUEST_REJECTED for a Cognito access token', async () => {
        const token = await mintToken({ key: poolKey, claims: { iss: issuer, sub: 'u1', token_use: 'access', client_id: CLI_CLIENT, scope: 'openid' } });
        const r = await diagnose({ token });
        expectRoot(r.output, 'TOKEN_WRONG_TYPE', r.text);
        expectAlso(r.output, ['TOKEN_AUDIENCE_MISMATCH', 'ALB_REQUEST_REJECTED'], r.text);
        const tool = await runOk('check_alb_jwt_config', { env: 'dev', token }, http());
        expect(codes(tool.output)).toContain('TOKEN_WRONG_TYPE');
      });

      it('names TOKEN_ALG_UNSUPPORTED for an RS384 token whose key is served (the ALB verifies RS256 only)', async () => {
        const rs384 = await testKey('pool-rs384', 'RS384');
        serveIssuer('us-east-1_POOL', { jwks: jwksOf(poolKey, rs384) });
        try {
          const r = await diagnose({ token: await idToken({}, { key: rs384 }) });
          expectRoot(r.output, 'TOKEN_ALG_UNSUPPORTED', r.text);
        } finally {
          serveIssuer('us-east-1_POOL');
        }
      });

      it('names TOKEN_KID_MISSING for a header without kid (the ALB picks the key by kid)', async () => {
        const r = await diagnose({ token: await idToken({}, { header: { kid: undefined } }) });
        expectRoot(r.output, 'TOKEN_KID_MISSING', r.text);
      });
    });

    describe('the keys the ALB fetches (its JwksEndpoint; one healthy stack, the issuer\'s documents change)', () => {
      beforeAll(() => world());
      /** Serves `route` at the pool's JWKS (or discovery) URL for one world, then the healthy document again. */
      const withPool = async (which: 'jwks' | 'discovery', route: Parameters<TestHttpsServer['routes']['set']>[1], fn: () => Promise<void>) => {
        srv.routes.set(`/us-east-1_POOL/.well-known/${which === 'jwks' ? 'jwks.json' : 'openid-configuration'}`, route);
        try {
          await fn();
        } finally {
          serveIssuer('us-east-1_POOL');
        }
      };

      it('names JWKS_UNREACHABLE as a failure when the ALB\'s JWKS endpoint answers 503', () =>
        withPool('jwks', { status: 503, body: 'unavailable' }, async () => {
          const r = await diagnose({ token: await idToken() });
          expectRoot(r.output, 'JWKS_UNREACHABLE', r.text);
          expect(r.verdict).toBe('fail');
          expect(r.output.likely).toBeUndefined();
        }));

      it('names JWKS_INVALID when the endpoint serves no keys array', () =>
        withPool('jwks', { json: { keys: 'none' } }, async () => {
          const r = await diagnose({ token: await idToken() });
          expectRoot(r.output, 'JWKS_INVALID', r.text);
        }));

      it('names JWKS_KID_NOT_FOUND for a token signed by a key the pool does not publish; check_jwks agrees', async () => {
        const token = await idToken({}, { key: await testKey('rotated-away') });
        const r = await diagnose({ token });
        expectRoot(r.output, 'JWKS_KID_NOT_FOUND', r.text);
        const tool = await runOk('check_jwks', { jwks_url: `${issuer}/.well-known/jwks.json`, token }, http());
        expect(codes(tool.output)).toContain('JWKS_KID_NOT_FOUND');
      });

      it('names JWKS_PRIVATE_KEY_EXPOSED when the JWKS publishes the private key', () =>
        withPool('jwks', { json: { keys: [poolKey.privateJwk] } }, async () => {
          const r = await diagnose({ token: await idToken() });
          expectRoot(r.output, 'JWKS_PRIVATE_KEY_EXPOSED', r.text);
          expect(JSON.stringify(r.output)).not.toContain(String(poolKey.privateJwk.d));
        }));

      // Ten spares under their own kids (the public material may repeat: only the count matters here).
      it('names JWKS_CONSUMER_LIMIT for a JWKS of 11 keys (the ALB accepts at most 10)', () =>
        withPool('jwks', { json: { keys: [poolKey.jwk, ...Array.from({ length: 10 }, (_, i) => ({ ...poolKey.jwk, kid: `spare-${i}` }))] } }, async () => {
          const r = await diagnose({ token: await idToken() });
          expectRoot(r.output, 'JWKS_CONSUMER_LIMIT', r.text);
        }));

      it('names SIGNATURE_INVALID when the served key under the token\'s kid is another key', () =>
        withPool('jwks', { json: jwksOf(impostor) }, async () => {
          const r = await diagnose({ token: await idToken() });
          expectRoot(r.output, 'SIGNATURE_INVALID', r.text);
        }));

      it('names nothing when only the discovery document is down: the ALB reads its JwksEndpoint, never discovery', () =>
        withPool('discovery', { status: 503, body: 'down' }, async () => {
          const r = await diagnose({ token: await idToken() });
          expect(root(r.output), r.text).toBeNull();
          expect(section(r.output, 'Request')?.line).toMatch(/→ forward/);
          expect(codes(r.output, 'warn')).toContain('DISCOVERY_UNREACHABLE');
        }));
    });

    describe('SSM, the listener and its rules', () => {
      it('names SSM_PARAMETER_MISSING over ALB_JWT_CONFIG_MISMATCH: oidc/jwks-url is gone and rule 5 holds a stale client id', async () => {
        await world({ omitParameters: ['oidc/jwks-url'], albClientId: 'stale-client-id-from-cdk-context' });
        const r = await diagnose({ token: await idToken() });
        expectRoot(r.output, 'SSM_PARAMETER_MISSING', r.text);
        expectAlso(r.output, ['ALB_JWT_CONFIG_MISMATCH'], r.text);
      });

      it('names SSM_PARAMETER_MISSING over ALB_LISTENER_NOT_FOUND: oidc/cli-client-id is gone and the listener ARN is stale', async () => {
        await world({ omitParameters: ['oidc/cli-client-id'], listenerArnParameter: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/opencode-jwt-dev/0123456789abcdef/fedcba9876543210' });
        const r = await diagnose({ token: await idToken() });
        expectRoot(r.output, 'SSM_PARAMETER_MISSING', r.text);
        expectAlso(r.output, ['ALB_LISTENER_NOT_FOUND'], r.text);
      });

      it('names ALB_RULE_MISSING over ALB_JWT_CONFIG_MISMATCH, ALB_REQUEST_REJECTED, ALB_RULE_MISORDERED: rule 5 deleted, rule 10 moved to 4', async () => {
        await world({ rules: (chain) => chain.filter((r) => r.priority !== 5).map((r) => (r.priority === 10 ? { ...r, priority: 4 } : r)) });
        const r = await diagnose({ token: await idToken() });
        expectRoot(r.output, 'ALB_RULE_MISSING', r.text);
        expectAlso(r.output, ['ALB_JWT_CONFIG_MISMATCH', 'ALB_REQUEST_REJECTED', 'ALB_RULE_MISORDERED'], r.text);
        const tool = await runOk('describe_listener_rules', { env: 'dev' });
        expect(codes(tool.output)).toEqual(expect.arrayContaining(['ALB_RULE_MISSING', 'ALB_RULE_MISORDERED']));
      });

      it('names ALB_RULE_MISORDERED over ALB_REQUEST_REJECTED: the health rule moved behind rule 5 answers 401 to a client that sends its (expired) Bearer', async () => {
        await world({ rules: (chain) => chain.map((r) => (r.priority === 1 ? { ...r, priority: 6 } : r)) });
        const r = await diagnose({ token: await idToken({}, { iat: -7200, exp: -1800 }), method: 'GET', path: '/health' });
        expectRoot(r.output, 'ALB_RULE_MISORDERED', r.text);
        expectAlso(r.output, ['ALB_REQUEST_REJECTED'], r.text);
        expect(rowLine(r, 'Request')).toMatch(/→ 401/);
        const tool = await runOk('describe_listener_rules', { env: 'dev' });
        expect(codes(tool.output)).toContain('ALB_RULE_MISORDERED');
      });

      it('names ALB_DEFAULT_ACTION_CHANGED over ALB_REQUEST_REJECTED: the default answers 401, so "no credentials" looks like a JWT failure', async () => {
        await world({ defaultAction: { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '401', ContentType: 'text/plain', MessageBody: 'Unauthorized' } } });
        const r = await diagnose({});
        expectRoot(r.output, 'ALB_DEFAULT_ACTION_CHANGED', r.text);
        expectAlso(r.output, ['ALB_REQUEST_REJECTED'], r.text);
        const tool = await runOk('describe_listener_rules', { env: 'dev' });
        expect(codes(tool.output)).toContain('ALB_DEFAULT_ACTION_CHANGED');
      });

      it('names ALB_JWT_CONFIG_MISMATCH over TOKEN_ISSUER_MISMATCH, JWKS_KID_NOT_FOUND, ALB_REQUEST_REJECTED: rule 5 still points at the old pool', async () => {
        const old = serveIssuer('us-east-1_OLDPOOL', { jwks: jwksOf(await testKey('old-pool-key')) });
        await world({ albIssuer: old.iss, albJwksUrl: old.jwks });
        const r = await diagnose({ token: await idToken() });
        expectRoot(r.output, 'ALB_JWT_CONFIG_MISMATCH', r.text);
        expectAlso(r.output, ['TOKEN_ISSUER_MISMATCH', 'JWKS_KID_NOT_FOUND', 'ALB_REQUEST_REJECTED'], r.text);
        const tool = await runOk('check_alb_jwt_config', { env: 'dev' }, http());
        expect(codes(tool.output)).toContain('ALB_JWT_CONFIG_MISMATCH');
      });

      it('names ALB_JWT_CONFIG_MISMATCH over TOKEN_AUDIENCE_MISMATCH: rule 5 checks the old CLI client id', async () => {
        await world({ albClientId: 'old-cli-client-id' });
        const r = await diagnose({ token: await idToken() });
        expectRoot(r.output, 'ALB_JWT_CONFIG_MISMATCH', r.text);
        expectAlso(r.output, ['TOKEN_AUDIENCE_MISMATCH', 'ALB_REQUEST_REJECTED'], r.text);
      });

      it('names ALB_JWT_CONFIG_MISMATCH over SIGNATURE_INVALID, DISCOVERY_ISSUER_MISMATCH: rule 5\'s JWKS endpoint serves another key under the same kid', async () => {
        // A JWKS endpoint SSM no longer names, whose issuer (discovery) is another one.
        const stale = serveIssuer('stale', { jwks: jwksOf(impostor), discovery: { issuer: `${srv.origin}/somebody-else`, jwks_uri: `${srv.origin}/stale/.well-known/jwks.json` } });
        await world({ albIssuer: stale.iss, albJwksUrl: stale.jwks });
        const r = await diagnose({ token: await idToken({ iss: stale.iss }) });
        expectRoot(r.output, 'ALB_JWT_CONFIG_MISMATCH', r.text);
        expectAlso(r.output, ['SIGNATURE_INVALID', 'DISCOVERY_ISSUER_MISMATCH'], r.text);
      });

      it('names ALB_JWT_CLAIM_LIMIT when rule 5 requires a space-separated scope value containing a space (it can never match); check_alb_jwt_config agrees', async () => {
        await world({
          rules: (chain) => chain.map((r) => r.priority !== 5 ? r : {
            ...r,
            actions: r.actions.map((a) => a.Type !== 'jwt-validation' ? a : { ...a, JwtValidationConfig: { ...a.JwtValidationConfig!, AdditionalClaims: [...(a.JwtValidationConfig!.AdditionalClaims ?? []), { Name: 'scope', Format: 'space-separated-values', Values: ['openid profile'] }] } }),
          }),
        });
        const r = await diagnose({ token: await idToken({ scope: 'openid profile' }) });
        expectRoot(r.output, 'ALB_JWT_CLAIM_LIMIT', r.text);
        // The request row agrees with the root cause: rule 5 answers 401, whatever the token carries.
        expect(rowLine(r, 'Request')).toMatch(/→ 401 from rule 5/);
        expect(all(r.output)).toContain('ALB_REQUEST_REJECTED');
        const tool = await runOk('check_alb_jwt_config', { env: 'dev' }, http());
        expect(codes(tool.output)).toContain('ALB_JWT_CLAIM_LIMIT');
      });

      it('names ALB_REQUEST_REJECTED (the default 403) when neither a token nor an API key is sent', async () => {
        await world();
        const r = await diagnose({});
        expectRoot(r.output, 'ALB_REQUEST_REJECTED', r.text);
        expect(r.text).toMatch(/403, not 401/);
      });
    });

    describe('an API key only (no Bearer)', () => {
      let keys: Awaited<ReturnType<typeof seedApiKeys>>;
      beforeAll(async () => {
        await world();
        keys = await seedApiKeys(moto.endpoint, { env: 'dev', now: NOW_DATE });
      });
      const withKey = async (value: string) => {
        process.env.OC_KEY_WORLD = value;
        planted.push(value);
        const r = await diagnose({ api_key_env: 'OC_KEY_WORLD' });
        expect(JSON.stringify(r.output)).not.toContain(value);
        return r;
      };
      const toolCodes = async () => codes((await runOk('check_api_key', { api_key_env: 'OC_KEY_WORLD', env: 'dev' })).output);

      it('names nothing for an active key (rule 10 forwards it)', async () => {
        const r = await withKey(keys.active);
        expect(root(r.output), r.text).toBeNull();
        expect(section(r.output, 'Request')?.line).toMatch(/X-API-Key → forward/);
      });
      it('names API_KEY_BAD_PREFIX over ALB_REQUEST_REJECTED for a key without oc_ (the default 403); check_api_key agrees', async () => {
        const r = await withKey('sk-live-0123456789abcdefghijklmnopqrstuvwxyz');
        expectRoot(r.output, 'API_KEY_BAD_PREFIX', r.text);
        expectAlso(r.output, ['ALB_REQUEST_REJECTED'], r.text);
        expect(await toolCodes()).toContain('API_KEY_BAD_PREFIX');
      });
      it('names API_KEY_MALFORMED for an oc_ key cut short; check_api_key agrees', async () => {
        const r = await withKey(keys.active.slice(0, 20));
        expectRoot(r.output, 'API_KEY_MALFORMED', r.text);
        expect(await toolCodes()).toContain('API_KEY_MALFORMED');
      });
      it('names API_KEY_UNKNOWN for a well-formed key no item has; check_api_key agrees', async () => {
        const r = await withKey(keys.unknown);
        expectRoot(r.output, 'API_KEY_UNKNOWN', r.text);
        expect(await toolCodes()).toContain('API_KEY_UNKNOWN');
      });
      it('names API_KEY_REVOKED for a revoked key; check_api_key agrees', async () => {
        const r = await withKey(keys.revoked);
        expectRoot(r.output, 'API_KEY_REVOKED', r.text);
        expect(await toolCodes()).toContain('API_KEY_REVOKED');
      });
      it('names API_KEY_EXPIRED for a key past expires_at; check_api_key agrees', async () => {
        const r = await withKey(keys.expired);
        expectRoot(r.output, 'API_KEY_EXPIRED', r.text);
        expect(await toolCodes()).toContain('API_KEY_EXPIRED');
      });
    });

    describe('AWS cannot be read: could not check (error), never the cause', () => {
      it('reports AWS_CALL_FAILED as an error when the AWS endpoint refuses connections; the token is still judged', async () => {
        await world();
        const before = process.env.AWS_ENDPOINT_URL;
        process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
        try {
          const ok = await diagnose({ token: await idToken() });
          expect(root(ok.output), ok.text).toBeNull();
          expect(ok.verdict).toBe('error');
          expect(codes(ok.output, 'error')).toContain('AWS_CALL_FAILED');
          // With the same failure, a token fault is still named (exit 1, not 3).
          const bad = await diagnose({ token: await idToken({}, { iat: -7200, exp: -1800 }) });
          expect(root(bad.output), bad.text).toBe('TOKEN_EXPIRED');
          expect(bad.verdict).toBe('fail');
        } finally {
          process.env.AWS_ENDPOINT_URL = before;
        }
      });

      // moto does not enforce IAM or throttle: AccessDenied and ThrottlingException exist only as a
      // mocked SDK answer (aws-sdk-client-mock, real error names), on a moto world for the rest.
      it('reports CHECK_PERMISSION_DENIED (mocked AccessDenied on ELBv2) as could-not-check: root null, verdict error', async () => {
        await world();
        const elb = mockClient(ElasticLoadBalancingV2Client);
        elb.onAnyCommand().rejects(Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/dev/x is not authorized to perform: elasticloadbalancing:DescribeRules'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
        try {
          const r = await diagnose({ token: await idToken() });
          expect(root(r.output), r.text).toBeNull();
          expect(r.verdict).toBe('error');
          expect(codes(r.output, 'error')).toContain('CHECK_PERMISSION_DENIED');
        } finally {
          elb.restore();
        }
      });

      it('reports AWS_THROTTLED (mocked ThrottlingException on DynamoDB) for an API key as could-not-check, not as a bad key', async () => {
        await world();
        const keys = await seedApiKeys(moto.endpoint, { env: 'dev', now: NOW_DATE });
        process.env.OC_KEY_THROTTLED = keys.active;
        planted.push(keys.active);
        const ddb = mockClient(DynamoDBClient);
        ddb.onAnyCommand().rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
        try {
          const r = await diagnose({ api_key_env: 'OC_KEY_THROTTLED' });
          expect(root(r.output), r.text).toBeNull();
          expect(r.verdict).toBe('error');
          expect(codes(r.output, 'error')).toContain('AWS_THROTTLED');
        } finally {
          ddb.restore();
        }
      });
    });
  });

  describe('preset generic (the inputs and the issuer\'s keys)', () => {
    const diagnose = (input: Record<string, unknown>) => liveAndReplay({ preset: 'generic', ...input }, http(), [secretOf(input.token)]);

    it('names nothing on a healthy issuer with the expected iss and aud', async () => {
      const r = await diagnose({ token: await idToken(), expected_issuer: issuer, expected_audience: CLI_CLIENT });
      expect(root(r.output), r.text).toBeNull();
      expect(r.verdict).toBe('pass');
    });

    // One world per row: the code first, so the index expands `names %s`.
    const tokenWorlds: Array<[string, string, () => Promise<Record<string, unknown>>]> = [
      ['TOKEN_MALFORMED', 'two parts only', async () => ({ token: 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0' })],
      ['TOKEN_UNSECURED', 'alg none', async () => ({ token: handMade({ alg: 'none' }, { iss: issuer, exp: NOW + 3600 }, '') })],
      ['TOKEN_ENCRYPTED', 'a JWE', async () => {
        const { publicKey } = await generateKeyPair('RSA-OAEP-256');
        return { token: await new CompactEncrypt(new TextEncoder().encode('{"iss":"x"}')).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }).encrypt(publicKey) };
      }],
      ['TOKEN_EXPIRED', 'exp half an hour ago', async () => ({ token: await idToken({}, { iat: -7200, exp: -1800 }) })],
      ['TOKEN_NOT_YET_VALID', 'nbf an hour ahead', async () => ({ token: await idToken({}, { nbf: 3600, exp: 7200 }) })],
      ['TOKEN_ISSUED_IN_FUTURE', 'iat an hour ahead', async () => ({ token: await idToken({}, { iat: 3600, exp: 7200 }) })],
      ['TOKEN_NO_EXPIRY', 'no exp', async () => ({ token: await idToken({}, { exp: null }) })],
      ['TOKEN_ISSUER_MISMATCH', 'http instead of https in the expected issuer', async () => ({ token: await idToken(), expected_issuer: issuer.replace('https:', 'http:') })],
      ['TOKEN_AUDIENCE_MISMATCH', 'another client id', async () => ({ token: await idToken({ aud: 'some-other-app' }), expected_audience: CLI_CLIENT })],
      ['TOKEN_SUBJECT_MISMATCH', 'another subject', async () => ({ token: await idToken({ sub: 'u1' }), expected_subject: 'u2' })],
      ['TOKEN_WRONG_TYPE', 'an access token where an ID token is expected', async () => ({ token: await mintToken({ key: poolKey, claims: { iss: issuer, sub: 'u1', token_use: 'access', client_id: CLI_CLIENT } }), expected_kind: 'id' })],
      ['TOKEN_ALG_UNSUPPORTED', 'alg ES256K, which no JOSE verifier here accepts', async () => ({ token: handMade({ alg: 'ES256K', kid: 'pool-key' }, { iss: issuer, aud: CLI_CLIENT, iat: NOW, exp: NOW + 3600 }) })],
      ['TOKEN_KID_MISSING', 'no kid, judged for the bridge (a generic verifier only warns)', async () => ({ token: await idToken({}, { header: { kid: undefined } }), consumer: 'bridge' })],
    ];
    it.each(tokenWorlds)('names %s in generic: %s', async (code, _what, input) => {
      const r = await diagnose(await input());
      expect(root(r.output), r.text).toBe(code);
      expect(r.verdict).toBe('fail');
    });

    it('only warns about a missing kid for a generic verifier (a single fitting key is used): names nothing', async () => {
      const r = await diagnose({ token: await idToken({}, { header: { kid: undefined } }) });
      expect(root(r.output), r.text).toBeNull();
      expect(codes(r.output, 'warn')).toContain('TOKEN_KID_MISSING');
    });

    describe('discovery and keys', () => {
      const fromIssuer = async (name: string, o: Parameters<typeof serveIssuer>[1]) => {
        const { iss } = serveIssuer(name, o);
        return { token: await idToken({ iss }) };
      };
      it('names DISCOVERY_UNREACHABLE (likely: a generic verifier may not fetch it; exit 3) when discovery answers 503', async () => {
        const input = await fromIssuer('g-down', { routes: { '/g-down/.well-known/openid-configuration': { status: 503, body: 'down' } } });
        const r = await diagnose(input);
        expect(root(r.output), r.text).toBe('DISCOVERY_UNREACHABLE');
        expect(r.output.likely).toBe(true);
        expect(r.verdict).toBe('error');
      });
      it('names DISCOVERY_INVALID for a document without issuer', async () => {
        const r = await diagnose(await fromIssuer('g-invalid', { discovery: { jwks_uri: `${srv.origin}/g-invalid/.well-known/jwks.json` } }));
        expect(root(r.output), r.text).toBe('DISCOVERY_INVALID');
      });
      it('names DISCOVERY_ISSUER_MISMATCH when the document names another issuer; check_discovery agrees', async () => {
        const iss = `${srv.origin}/g-other`;
        const input = await fromIssuer('g-other', { discovery: { issuer: `${iss}/`, jwks_uri: `${iss}/.well-known/jwks.json`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] } });
        const r = await diagnose(input);
        expect(root(r.output), r.text).toBe('DISCOVERY_ISSUER_MISMATCH');
        const tool = await runOk('check_discovery', { issuer: iss }, http());
        expect(codes(tool.output)).toContain('DISCOVERY_ISSUER_MISMATCH');
      });
      it('names DISCOVERY_JWKS_URI_INVALID for a plain-http jwks_uri', async () => {
        const iss = `${srv.origin}/g-http`;
        const r = await diagnose(await fromIssuer('g-http', { discovery: { issuer: iss, jwks_uri: 'http://keys.example.com/jwks.json', response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] } }));
        expect(root(r.output), r.text).toBe('DISCOVERY_JWKS_URI_INVALID');
      });
      it('names DISCOVERY_SLOW judged for STS when discovery takes over 5 s (generic preset, consumer sts)', async () => {
        const { iss } = serveIssuer('g-slow', {});
        const route = srv.routes.get('/g-slow/.well-known/openid-configuration') as { json: unknown };
        srv.routes.set('/g-slow/.well-known/openid-configuration', { json: route.json, delayMs: 5200 });
        const token = await idToken({ iss });
        // This tool's own fetch timeout (5 s) is raised so the slow answer arrives and is judged.
        const opts = { http: { ca: srv.caCert, timeoutMs: 8000 } };
        const r = await liveAndReplay({ preset: 'generic', token, consumer: 'sts' }, opts, [token]);
        expect(root(r.output), r.text).toBe('DISCOVERY_SLOW');
      });
      it('names JWKS_UNREACHABLE (likely; exit 3) when the JWKS answers 404', async () => {
        const r = await diagnose(await fromIssuer('g-nokeys', { routes: { '/g-nokeys/.well-known/jwks.json': { status: 404, body: 'gone' } } }));
        expect(root(r.output), r.text).toBe('JWKS_UNREACHABLE');
        expect(r.output.likely).toBe(true);
        expect(r.verdict).toBe('error');
      });
      it('names JWKS_INVALID for a JWKS that is an array', async () => {
        const r = await diagnose(await fromIssuer('g-badjwks', { jwks: [poolKey.jwk] }));
        expect(root(r.output), r.text).toBe('JWKS_INVALID');
      });
      it('names JWKS_KID_NOT_FOUND for a kid the issuer does not publish', async () => {
        const { iss } = serveIssuer('g-rotated', {});
        const r = await diagnose({ token: await idToken({ iss }, { key: await testKey('rotated-away') }) });
        expect(root(r.output), r.text).toBe('JWKS_KID_NOT_FOUND');
      });
      it('names JWKS_PRIVATE_KEY_EXPOSED when the JWKS publishes the private key', async () => {
        const r = await diagnose(await fromIssuer('g-leaky', { jwks: { keys: [poolKey.privateJwk] } }));
        expect(root(r.output), r.text).toBe('JWKS_PRIVATE_KEY_EXPOSED');
      });
      it('names SIGNATURE_INVALID when the key under the kid is another key; check_jwks agrees', async () => {
        const input = await fromIssuer('g-swapped', { jwks: jwksOf(impostor) });
        const r = await diagnose(input);
        expect(root(r.output), r.text).toBe('SIGNATURE_INVALID');
        const tool = await runOk('check_jwks', { jwks_url: `${srv.origin}/g-swapped/.well-known/jwks.json`, token: input.token }, http());
        expect(codes(tool.output)).toContain('SIGNATURE_INVALID');
      });
    });
  });

  describe('the built CLI (node dist/cli.js diagnose --json): one JSON object on stdout, exit 0/1/3', () => {
    const cli = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number; out: Out; stdout: string; stderr: string }>((resolve, reject) => {
        execFile(process.execPath, ['dist/cli.js', 'diagnose', '--json', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20000 }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          try {
            resolve({ code, out: JSON.parse(stdout) as Out, stdout, stderr });
          } catch (e) {
            reject(new Error(`stdout is not one JSON object (exit ${code}): ${stdout.slice(0, 300)} / ${stderr.slice(0, 300)}`, { cause: e }));
          }
        });
      });
    const now = NOW_DATE.toISOString();
    let home: string;
    const base = () => ({ HOME: home, NODE_EXTRA_CA_CERTS: srv.caCertPath, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(home, 'nope-config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'nope-credentials') });
    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), 'ocw-cli-home-'));
      await moto.reset();
      await buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, cliClientId: CLI_CLIENT });
    });

    it('names nothing on a healthy world (exit 0) and names TOKEN_EXPIRED for an expired token (exit 1)', async () => {
      const good = await cli(['--preset', 'opencode', '--env', 'dev', '--token-env', 'OC_TOKEN', '--now', now], { ...base(), ...motoEnv(moto.endpoint), OC_TOKEN: await idToken() });
      expect(good.code, good.stderr).toBe(0);
      expect(good.out.root_cause).toBeNull();
      const token = await idToken({}, { iat: -7200, exp: -1800 });
      const bad = await cli(['--preset', 'opencode', '--env', 'dev', '--token-env', 'OC_TOKEN', '--now', now], { ...base(), ...motoEnv(moto.endpoint), OC_TOKEN: token });
      expect(bad.code, bad.stderr).toBe(1);
      expect(root(bad.out)).toBe('TOKEN_EXPIRED');
      expect(bad.stdout + bad.stderr).not.toContain(token.split('.')[2]!);
    });

    it('reports AWS_CREDENTIALS_MISSING as could-not-check (exit 3, root null) when no credentials exist', async () => {
      const r = await cli(['--preset', 'opencode', '--env', 'dev', '--token-env', 'OC_TOKEN', '--now', now], { ...base(), AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: moto.endpoint, OC_TOKEN: await idToken() });
      expect(r.code, r.stderr).toBe(3);
      expect(r.out.root_cause).toBeNull();
      expect(codes(r.out, 'error')).toContain('AWS_CREDENTIALS_MISSING');
    });

    it('reports AWS_REGION_MISSING as could-not-check (exit 3) when no region is set', async () => {
      const { AWS_REGION: _r, ...noRegion } = motoEnv(moto.endpoint);
      const r = await cli(['--preset', 'opencode', '--env', 'dev', '--token-env', 'OC_TOKEN', '--now', now], { ...base(), ...noRegion, OC_TOKEN: await idToken() });
      expect(r.code, r.stderr).toBe(3);
      expect(r.out.root_cause).toBeNull();
      expect(codes(r.out, 'error')).toContain('AWS_REGION_MISSING');
    });

    it('reports AWS_SSO_EXPIRED as could-not-check (exit 3) for an SSO profile whose session is gone, and still names a token fault (exit 1)', async () => {
      const cfg = join(home, 'sso-config');
      writeFileSync(cfg, ['[profile oc-dev]', 'sso_session = corp', 'sso_account_id = 123456789012', 'sso_role_name = ReadOnly', 'region = us-east-1', '', '[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start', 'sso_region = us-east-1', ''].join('\n'));
      mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
      const env = { ...base(), AWS_CONFIG_FILE: cfg, AWS_PROFILE: 'oc-dev', AWS_ENDPOINT_URL: moto.endpoint };
      const r = await cli(['--preset', 'opencode', '--env', 'dev', '--token-env', 'OC_TOKEN', '--now', now], { ...env, OC_TOKEN: await idToken() });
      expect(r.code, r.stderr).toBe(3);
      expect(r.out.root_cause).toBeNull();
      expect(codes(r.out, 'error')).toContain('AWS_SSO_EXPIRED');
      const bad = await cli(['--preset', 'opencode', '--env', 'dev', '--token-env', 'OC_TOKEN', '--now', now], { ...env, OC_TOKEN: await idToken({}, { exp: null }) });
      expect(bad.code, bad.stderr).toBe(1);
      expect(root(bad.out)).toBe('TOKEN_NO_EXPIRY');
    });
  });
});
