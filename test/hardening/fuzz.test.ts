/**
 * Property fuzz (fast-check) of every parser and every tool input: no crash, no hang, no leak,
 * every rejection clear. With the differential pattern tests in patterns.test.ts (5,000 cases)
 * this file brings the suite over 10,000 cases per CI run (the count is printed).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBridgeLog } from '../../src/checks/bridge/log-parse.js';
import { checkDiscovery } from '../../src/checks/discovery.js';
import { readKeySet } from '../../src/checks/jwks/keys.js';
import { parseAlbLine } from '../../src/checks/opencode/access-logs.js';
import type { ConditionFact, RuleFact } from '../../src/checks/opencode/facts.js';
import { parseRouterLine } from '../../src/checks/opencode/router-logs.js';
import { simulateRequest } from '../../src/checks/opencode/simulate.js';
import { inspectToken } from '../../src/checks/token/inspect.js';
import { webIdentityRequest } from '../../src/checks/trust/context.js';
import { evaluateTrust } from '../../src/checks/trust/evaluate.js';
import { parseTrustPolicy } from '../../src/checks/trust/policy.js';
import { explainStsError } from '../../src/checks/web-identity/sts-errors.js';
import { redactPatterns, Redactor } from '../../src/redact.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { runTool } from '../../src/tools/run.js';

let cases = 0;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fast-check's property types differ per arity
type AnyProp = any;
const count = (p: AnyProp, numRuns: number) => ({ p, numRuns });
const run = (x: { p: AnyProp; numRuns: number }) => {
  fc.assert(x.p, { numRuns: x.numRuns });
  cases += x.numRuns;
};
const runAsync = async (x: { p: AnyProp; numRuns: number }) => {
  await fc.assert(x.p, { numRuns: x.numRuns });
  cases += x.numRuns;
};
afterAll(() => console.log(`fuzz: ${cases} cases in this file`));

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const jsonish = fc.jsonValue({ maxDepth: 4 });
/** A compact token made of arbitrary (often valid-JSON) parts. */
const tokenish = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.tuple(jsonish, jsonish, fc.string({ maxLength: 40 })).map(([h, p, s]) => `${b64(JSON.stringify(h))}.${b64(JSON.stringify(p))}.${b64(s)}`),
  fc.tuple(fc.record({ alg: fc.constantFrom('RS256', 'none', 'HS256', 'ES256', ''), kid: fc.string(), typ: fc.string() }, { requiredKeys: [] }), fc.dictionary(fc.constantFrom('iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'token_use', 'client_id'), jsonish)).map(([h, p]) => `${b64(JSON.stringify(h))}.${b64(JSON.stringify(p))}.c2ln`),
);

describe('parsers never throw on any input', () => {
  it('tokens: inspectToken', () => {
    run(count(fc.property(tokenish, (t) => {
      const r = inspectToken(t);
      expect(typeof r.ok).toBe('boolean');
    }), 1500));
  });

  it('JWKS: readKeySet', async () => {
    const PRIV = 'CNRYprivateKeyMaterial';
    const jwk = fc.record({ kty: fc.constantFrom('RSA', 'EC', 'oct', 'OKP', 'x'), kid: fc.oneof(fc.string(), fc.integer()), alg: fc.string(), use: fc.string(), n: fc.string(), e: fc.string(), crv: fc.string(), x: fc.string(), y: fc.string(), d: fc.constant(PRIV + 'd'), p: fc.constant(PRIV + 'p'), k: fc.constant(PRIV + 'k') }, { requiredKeys: ['kty'] });
    await runAsync(count(fc.asyncProperty(fc.oneof(jsonish, fc.record({ keys: fc.array(fc.oneof(jwk, jsonish), { maxLength: 12 }) })), async (j: unknown) => {
      const facts = await readKeySet(j);
      expect(JSON.stringify(new Redactor().redact(facts))).not.toContain(PRIV);
    }), 800));
  });

  it('discovery documents: checkDiscovery', () => {
    const doc = fc.oneof(jsonish, fc.record({ issuer: fc.oneof(fc.webUrl(), fc.string()), jwks_uri: fc.oneof(fc.webUrl(), fc.string(), fc.constant('http://x/jwks')), id_token_signing_alg_values_supported: fc.oneof(fc.array(fc.string()), fc.string()) }, { requiredKeys: [] }));
    run(count(fc.property(doc, fc.option(fc.webUrl()), (json, exp) => {
      const f = checkDiscovery({ json, url: 'https://issuer.example/.well-known/openid-configuration', consumer: 'sts', elapsedMs: 10, redirects: [], ...(exp ? { expected: { issuer: exp, from: 'token iss' } } : {}) });
      expect(Array.isArray(f)).toBe(true);
    }), 1000));
  });

  it('trust policies: parseTrustPolicy + evaluateTrust, raw, JSON text and URL-encoded', () => {
    const stmt = fc.record({ Effect: fc.constantFrom('Allow', 'Deny', 'allow', 1), Principal: fc.oneof(fc.constant('*'), fc.record({ Federated: fc.oneof(fc.string(), fc.array(fc.string())) })), Action: fc.oneof(fc.string(), fc.array(fc.string())), Condition: fc.dictionary(fc.constantFrom('StringEquals', 'StringLike', 'ForAnyValue:StringLike', 'StringNotEquals', 'Null', 'Bogus'), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string())))) }, { requiredKeys: [] });
    const policy = fc.record({ Version: fc.constant('2012-10-17'), Statement: fc.oneof(stmt, fc.array(stmt, { maxLength: 4 })) });
    const doc = fc.oneof(jsonish, policy, policy.map((p) => JSON.stringify(p)), policy.map((p) => encodeURIComponent(JSON.stringify(p))), fc.string().map((s) => `%7B${s}`));
    run(count(fc.property(doc, fc.dictionary(fc.constantFrom('sub', 'aud', 'iss', 'email'), fc.oneof(fc.string(), fc.array(fc.string()))), (d, claims) => {
      const p = parseTrustPolicy(d);
      if (!p.ok) {
        expect(p.problem.length).toBeGreaterThan(10);
        return;
      }
      const ev = evaluateTrust(p.statements, webIdentityRequest('arn:aws:iam::123456789012:oidc-provider/issuer.example', 'issuer.example', claims));
      expect(ev).toBeDefined();
    }), 1500));
  });

  it('listener rules: simulateRequest with arbitrary wildcard and regex values', () => {
    const cond: fc.Arbitrary<ConditionFact> = fc.record({
      field: fc.constantFrom('path-pattern', 'http-header', 'host-header', 'query-string', 'http-request-method', 'source-ip'),
      header: fc.constantFrom('Authorization', 'X-API-Key', 'Host'),
      values: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
      regexValues: fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('^/(a+)+$', '(x+x+)+y', '(a|aa)*b', '[', '(?=a)', '\\1')), { maxLength: 2 }),
    });
    const rules = fc.array(fc.record({ priority: fc.integer({ min: 1, max: 50 }), conditions: fc.array(cond, { maxLength: 3 }), actions: fc.constant([{ type: 'forward' }]) }), { maxLength: 6 }).map((r): RuleFact[] => [...r.map((x) => ({ ...x, actions: [{ type: 'forward' }] })), { priority: 'default', conditions: [], actions: [{ type: 'fixed-response', fixedResponse: { statusCode: '403' } }] }]);
    run(count(fc.property(rules, fc.string({ maxLength: 300 }), fc.dictionary(fc.constantFrom('Host', 'X-Custom'), fc.string()), (r, path, headers) => {
      const sim = simulateRequest(r, { method: 'GET', path: '/' + 'a'.repeat(30) + path, headers }, { state: 'unknown' });
      expect(sim.outcome).toBeDefined();
    }), 1000));
  });

  it('log lines: router, ALB access log, bridge log, STS error text', () => {
    const deepJson = fc.integer({ min: 1, max: 3000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n));
    const line = fc.oneof(fc.string({ maxLength: 400 }), jsonish.map((j) => JSON.stringify(j)), deepJson, fc.constantFrom('{"level":"ERROR","event":"jwks_prime_failure","component":"jwks_cache","error_kind":"upstream_status"}'));
    run(count(fc.property(line, (l) => {
      const e = parseRouterLine(l, 0);
      expect(typeof e.message).toBe('string');
      parseAlbLine(l);
      parseBridgeLog(l + '\n' + l);
      explainStsError(l);
    }), 1500));
  });

  it('redactPatterns is total and idempotent', () => {
    const s = fc.oneof(fc.string({ maxLength: 300 }), fc.tuple(fc.constantFrom('cookie: ', 'Authorization: Bearer ', 'https://u:', '?access_token=', "{'password': '", 'aws-secret-access-key='), fc.string({ maxLength: 60 })).map(([a, b]) => a + b));
    run(count(fc.property(s, (x) => {
      const once = redactPatterns(x);
      expect(redactPatterns(once)).toBe(once);
    }), 1000));
  });
});

describe('every tool input: no crash, every rejection clear', () => {
  const saved: Record<string, string | undefined> = {};
  const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDFUZZ', AWS_SECRET_ACCESS_KEY: 'fuzz', AWS_EC2_METADATA_DISABLED: 'true', JWT_TRIAGE_KUBECTL: '/nonexistent/kubectl' };
  beforeAll(() => {
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  });

  const value = fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), fc.constantFrom('/dev/zero', '--server=https://x', '../../etc/passwd', 'https://169.254.169.254/', 'oc_' + 'A'.repeat(40), '%7B%ZZ', '-v=9'));
  for (const tool of ALL_TOOLS.filter((t) => t.name !== 'probe_assume_role')) {
    it(`${tool.name}`, async () => {
      const keys = Object.keys((tool.input as unknown as { shape: Record<string, unknown> }).shape);
      await runAsync(count(fc.asyncProperty(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 4 }), async (input) => {
        const r = await runTool(tool, input, { http: { timeoutMs: 300 }, env: process.env });
        if (!r.ok) {
          expect(r.kind, r.message).not.toBe('internal');
          expect(r.message.length).toBeGreaterThan(10);
        }
      }), 40));
    }, 120_000);
  }
});
