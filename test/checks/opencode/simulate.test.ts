import { describe, expect, it } from 'vitest';
import { rulesFromSpec, type RuleFact } from '../../../src/checks/opencode/facts.js';
import { simulateRequest, wildcardMatch, type SimRequest, type TokenJudgement } from '../../../src/checks/opencode/simulate.js';
import { EXPECTED_RULES } from '../../../src/presets/opencode.js';

const chain = rulesFromSpec(EXPECTED_RULES);
const BEARER = { Authorization: 'Bearer <token>' };
const req = (path: string, headers: Record<string, string> = {}, method = 'GET'): SimRequest => ({ method, path, headers });
const expired: TokenJudgement = { state: 'invalid', reasons: ['The token expired 1 hour ago'] };

describe('wildcardMatch (ALB semantics)', () => {
  it.each([
    ['/health/*', '/health/live', false, true],
    ['/health/*', '/health', false, false],
    ['/v1/api-keys*', '/v1/api-keys', false, true],
    ['/v1/api-keys*', '/V1/api-keys', false, false], // path-pattern is case-sensitive
    ['/v?/models', '/v1/models', false, true],
    ['/v?/models', '/v10/models', false, false],
    ['Bearer*', 'bearer abc', true, true], // header values are case-insensitive
    ['oc_*', 'OC_abc', true, true],
    ['oc_*', 'sk-abc', true, false],
    ['a.b', 'axb', false, false], // regex metacharacters are literal
  ])('%s vs %s (ci=%s) → %s', (pattern, value, ci, want) => {
    expect(wildcardMatch(pattern, value, ci)).toBe(want);
  });
});

describe('simulateRequest against the preset chain', () => {
  it.each<[string, SimRequest, TokenJudgement, string | null, number | null, string]>([
    ['health needs no credentials', req('/health'), { state: 'unknown' }, '1', null, 'forward'],
    ['update check needs no credentials', req('/v1/update/latest'), { state: 'unknown' }, '2', null, 'forward'],
    ['api-key management with Bearer → rule 3', req('/v1/api-keys', BEARER, 'POST'), { state: 'valid' }, '3', null, 'forward'],
    ['Bearer on the API → rule 5, depends on the token', req('/v1/chat/completions', BEARER), { state: 'unknown' }, '5', null, 'jwt-depends'],
    ['expired JWT → 401 from rule 5', req('/v1/chat/completions', BEARER), expired, '5', 401, 'jwt-401'],
    ['expired JWT + API key → still 401 from rule 5', req('/v1/models', { ...BEARER, 'X-API-Key': 'oc_' }), expired, '5', 401, 'jwt-401'],
    ['API key with oc_ → rule 10 forwards', req('/v1/models', { 'x-api-key': 'oc_AbCdEfG' }), { state: 'unknown' }, '10', null, 'forward'],
    ['API key without oc_ → 403 default', req('/v1/models', { 'X-API-Key': 'sk-abc' }), { state: 'unknown' }, 'default', 403, 'fixed-response'],
    ['no credentials → 403 default', req('/v1/models'), { state: 'unknown' }, 'default', 403, 'fixed-response'],
    ['api-keys path without Bearer → 403 default', req('/v1/api-keys'), { state: 'unknown' }, 'default', 403, 'fixed-response'],
    ['Basic auth is not Bearer → 403 default', req('/v1/models', { Authorization: 'Basic xyz' }), { state: 'unknown' }, 'default', 403, 'fixed-response'],
  ])('%s', (_name, r, token, rule, status, action) => {
    const sim = simulateRequest(chain, r, token);
    expect(sim.outcome.priority === null ? null : String(sim.outcome.priority)).toBe(rule);
    expect(sim.outcome.status).toBe(status);
    expect(sim.outcome.action).toBe(action);
  });

  it('reports ALB_REQUEST_REJECTED saying "no credentials → 403" and naming the default action', () => {
    const [f] = simulateRequest(chain, req('/v1/models'), { state: 'unknown' }).findings;
    expect(f).toMatchObject({ code: 'ALB_REQUEST_REJECTED', status: 'fail' });
    expect(f!.detail).toMatch(/No Authorization Bearer header and no X-API-Key header/);
    expect(f!.detail).toMatch(/403, not 401/);
  });

  it('reports ALB_REQUEST_REJECTED saying the key lacks oc_, without showing the whole key', () => {
    const sim = simulateRequest(chain, req('/v1/models', { 'X-API-Key': 'sk-0123456789abcdef' }), { state: 'unknown' });
    const f = sim.findings.find((x) => x.code === 'ALB_REQUEST_REJECTED')!;
    expect(f.detail).toMatch(/not matched by rule 10 \(oc_\*\)/);
    expect(JSON.stringify(sim)).not.toContain('sk-0123456789abcdef');
  });

  it('reports API_KEY_SHADOWED_BY_BEARER and ALB_REQUEST_REJECTED when Bearer and an API key are both sent', () => {
    const sim = simulateRequest(chain, req('/v1/models', { ...BEARER, 'X-API-Key': 'oc_' }), expired);
    expect(sim.findings.map((f) => `${f.code}:${f.status}`)).toEqual(['ALB_REQUEST_REJECTED:fail', 'API_KEY_SHADOWED_BY_BEARER:warn']);
    expect(sim.findings[0]!.detail).toMatch(/401 even with a valid key/);
  });

  it('reports ALB_REQUEST_REJECTED as warn when the outcome depends on an unjudged token', () => {
    const sim = simulateRequest(chain, req('/v1/models', BEARER), { state: 'unknown' });
    expect(sim.findings.map((f) => `${f.code}:${f.status}`)).toEqual(['ALB_REQUEST_REJECTED:warn']);
  });

  it('evaluates rules by numeric priority, not list order, and ANDs conditions / ORs values', () => {
    const rules: RuleFact[] = [
      { priority: 'default', conditions: [], actions: [{ type: 'fixed-response', fixedResponse: { statusCode: '403' } }] },
      { priority: 20, conditions: [{ field: 'path-pattern', values: ['/a', '/b'] }], actions: [{ type: 'fixed-response', fixedResponse: { statusCode: '418' } }] },
      { priority: 4, conditions: [{ field: 'path-pattern', values: ['/b'] }, { field: 'http-request-method', values: ['POST'] }], actions: [{ type: 'forward' }] },
    ];
    expect(simulateRequest(rules, req('/b', {}, 'POST'), { state: 'unknown' }).outcome).toMatchObject({ priority: 4, action: 'forward' });
    expect(simulateRequest(rules, req('/b'), { state: 'unknown' }).outcome).toMatchObject({ priority: 20, status: 418 });
    expect(simulateRequest(rules, req('/c'), { state: 'unknown' }).outcome).toMatchObject({ priority: 'default', status: 403 });
  });

  it('matches host-header case-insensitively and query-string pairs, and marks unsupported fields unknown', () => {
    const rules: RuleFact[] = [
      { priority: 1, conditions: [{ field: 'source-ip', values: ['10.0.0.0/8'] }], actions: [{ type: 'forward' }] },
      { priority: 2, conditions: [{ field: 'host-header', values: ['api.*.example.com'] }, { field: 'query-string', values: ['debug=tr?e'] }], actions: [{ type: 'fixed-response', fixedResponse: { statusCode: '200' } }] },
      { priority: 'default', conditions: [], actions: [{ type: 'fixed-response', fixedResponse: { statusCode: '403' } }] },
    ];
    const sim = simulateRequest(rules, req('/x?debug=TRUE', { Host: 'API.dev.example.com' }), { state: 'unknown' });
    expect(sim.evaluations[0]).toMatchObject({ priority: 1, matched: 'unknown' });
    expect(sim.outcome).toMatchObject({ priority: 2, status: 200 });
  });
});
