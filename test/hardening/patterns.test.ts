/**
 * Issue 11 §3: listener-rule patterns never run as backtracking regexes on the event loop.
 * - the cases that took the server down (`^/(a+)+$` on a 36-char path, a 12-`*` wildcard on a
 *   3,000-char path) run in a worker thread with a hang guard, so a regression fails this test
 *   instead of freezing the run (no speed is asserted: the guard is 20 s);
 * - the regex engine's work is counted in steps (deterministic) and bounded;
 * - invalid / unsupported / over-budget patterns become ALB_PATTERN_UNEVALUATED, never a throw;
 * - a fast-check differential test: for patterns of the supported syntax, the engine agrees
 *   with JavaScript's RegExp (on inputs too small for backtracking to matter).
 */
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regexTest, wildcardMatch } from '../../src/checks/opencode/pattern.js';
import type { RuleFact } from '../../src/checks/opencode/facts.js';
import { simulateRequest } from '../../src/checks/opencode/simulate.js';

const ruleWith = (regexValues: string[], values: string[] = []): RuleFact[] => [
  { priority: 1, conditions: [{ field: 'path-pattern', values, regexValues }], actions: [{ type: 'forward' }] },
  { priority: 'default', conditions: [], actions: [{ type: 'fixed-response', fixedResponse: { statusCode: '403' } }] },
];

/** Runs `simulateRequest` in a worker; resolves with its outcome, or 'hung' after the guard. */
function inWorker(rules: RuleFact[], path: string): Promise<unknown> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.mod).then(({ simulateRequest }) => {
      const sim = simulateRequest(workerData.rules, { method: 'GET', path: workerData.path, headers: {} }, { state: 'unknown' });
      parentPort.postMessage({ outcome: sim.outcome, codes: sim.findings.map((f) => f.code) });
    });`;
  const mod = new URL('../../dist/checks/opencode/simulate.js', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { mod, rules, path } });
    const guard = setTimeout(() => {
      void w.terminate();
      resolve('hung');
    }, 20_000);
    w.once('message', (m) => {
      clearTimeout(guard);
      void w.terminate();
      resolve(m);
    });
    w.once('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
  });
}

describe('no catastrophic backtracking (built dist, in a worker with a hang guard)', () => {
  it('^/(a+)+$ on a 40-character path answers', async () => {
    const r = await inWorker(ruleWith(['^/(a+)+$']), '/' + 'a'.repeat(38) + '!');
    expect(r).not.toBe('hung');
    expect((r as { outcome: { priority: unknown } }).outcome.priority).toBe('default');
  }, 30_000);
  it('a 12-* wildcard on a 3,000-character path answers', async () => {
    const r = await inWorker(ruleWith([], ['/' + '*a'.repeat(12) + '*b']), '/' + 'a'.repeat(3000));
    expect(r).not.toBe('hung');
    expect((r as { outcome: { priority: unknown } }).outcome.priority).toBe('default');
  }, 30_000);
});

describe('regexTest: steps, not time', () => {
  it('evil patterns cost steps linear in the input', () => {
    for (const [re, n] of [['^/(a+)+$', 36], ['^(a|a)*$', 5000], ['(x+x+)+y', 3000], ['^(\\w+\\s?)*$', 3000]] as const) {
      const input = '/'.repeat(re.startsWith('^/') ? 1 : 0) + 'a'.repeat(n) + '!';
      const r = regexTest(re, input, false);
      expect(r.ok, re).toBe(true);
      if (r.ok) {
        expect(r.matched).toBe(false);
        expect(r.steps).toBeLessThan(20 * (n + 2) * 4);
      }
    }
  });
  it('over the step budget is a reason, not a hang', () => {
    const r = regexTest('(a|b|c|d|e)*z', 'abcde'.repeat(2000), false, 1000);
    expect(r).toMatchObject({ ok: false, reason: 'budget' });
  });
  it.each([
    ['(', 'invalid'],
    ['a)', 'invalid'],
    ['[a-', 'invalid'],
    ['*a', 'invalid'],
    ['a**', 'invalid'],
    ['a{3,1}', 'invalid'],
    ['[z-a]', 'invalid'],
    ['\\', 'invalid'],
    ['(a)\\1', 'unsupported'],
    ['(?=a)a', 'unsupported'],
    ['(?<!a)b', 'unsupported'],
    ['a{100000}', 'unsupported'],
  ])('%s → %s', (re, reason) => {
    expect(regexTest(re, 'abc', false)).toMatchObject({ ok: false, reason });
  });
});

describe('ALB_PATTERN_UNEVALUATED', () => {
  it('reports an invalid regex as a finding and assumes the rule does not match', () => {
    const sim = simulateRequest(ruleWith(['^/(v1']), { method: 'GET', path: '/v1', headers: {} }, { state: 'unknown' });
    const f = sim.findings.find((x) => x.code === 'ALB_PATTERN_UNEVALUATED');
    expect(f?.status).toBe('warn');
    expect(f?.detail).toMatch(/is invalid \(unterminated group\)/);
    expect(sim.outcome.priority).toBe('default');
  });
  it('reports a back-reference as not evaluated', () => {
    const sim = simulateRequest(ruleWith(['^/(a)\\1$']), { method: 'GET', path: '/aa', headers: {} }, { state: 'unknown' });
    expect(sim.findings.find((x) => x.code === 'ALB_PATTERN_UNEVALUATED')?.detail).toMatch(/back-references/);
  });
  it('still matches a good regex', () => {
    const sim = simulateRequest(ruleWith(['^/v[0-9]+/models$']), { method: 'GET', path: '/v12/models', headers: {} }, { state: 'unknown' });
    expect(sim.outcome.priority).toBe(1);
    expect(sim.findings.some((x) => x.code === 'ALB_PATTERN_UNEVALUATED')).toBe(false);
  });
});

describe('differential: the engine agrees with RegExp on the supported syntax (fast-check)', () => {
  const atom = fc.oneof(
    fc.constantFrom('a', 'b', 'c', '.', '\\d', '\\w', '\\s', '[ab]', '[^a]', '[a-c]', '\\.', '/', '-', 'A'),
  );
  const quant = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,2}', '{0,}', '*?');
  const piece = fc.tuple(atom, quant).map(([a, q]) => a + q);
  const seq = fc.array(piece, { minLength: 0, maxLength: 5 }).map((p) => p.join(''));
  const group = fc.tuple(seq, seq, quant).map(([x, y, q]) => `(${x}|${y})${q}`);
  const pattern = fc
    .tuple(fc.constantFrom('', '^'), fc.array(fc.oneof(seq, group), { minLength: 1, maxLength: 3 }), fc.constantFrom('', '$', '\\b'))
    .map(([a, b, c]) => a + b.join('') + c);
  const input = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', '1', ' ', '/', '.', '-', '\n'), maxLength: 12 });
  it('agrees on 3,000 random (pattern, input, flag) cases', () => {
    fc.assert(
      fc.property(pattern, input, fc.boolean(), (p, s, ci) => {
        const want = new RegExp(p, ci ? 'i' : '').test(s);
        const got = regexTest(p, s, ci);
        expect(got.ok).toBe(true);
        if (got.ok) expect(got.matched).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });
  it('the wildcard matcher agrees with an anchored translation on 2,000 cases', () => {
    const wpat = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '.', 'A'), maxLength: 8 });
    const wval = fc.string({ unit: fc.constantFrom('a', 'b', '.', 'A', '\n'), maxLength: 10 });
    fc.assert(
      fc.property(wpat, wval, fc.boolean(), (p, v, ci) => {
        const re = new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', ci ? 'is' : 's');
        expect(wildcardMatch(p, v, ci)).toBe(re.test(v));
      }),
      { numRuns: 2000 },
    );
  });
});
