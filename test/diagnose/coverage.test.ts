/**
 * The index of the diagnosis worlds (issue #7's "done when"): every finding code either has a
 * world built with the real backends where diagnose_rejection names it as the root cause, or is
 * listed, with why, among the codes the diagnosis never names as root; and every PRECEDENCE row
 * has a world where its cause and at least one effect it explains co-occur and the cause wins.
 *
 * It reads the world suites' test titles — `names CODE …` for a root-cause world, `names CAUSE over
 * EFFECT, EFFECT …` for a precedence world (the suites assert exactly what the title says) — so a
 * new code or a new row without a world fails here, not in review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_CODES } from '../../src/checks/codes.js';
import { PRECEDENCE } from '../../src/diagnose/rank.js';
import { NOT_A_ROOT as OPENCODE } from './not-a-root.opencode.js';
import { NOT_A_ROOT as WEB_IDENTITY } from './not-a-root.web-identity.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SUITES = [
  ...readdirSync(join(ROOT, 'test/diagnose')).filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts').map((f) => `test/diagnose/${f}`),
  ...readdirSync(join(ROOT, 'test/tools')).filter((f) => /^diagnose.*\.test\.ts$/.test(f)).map((f) => `test/tools/${f}`),
];

interface World { suite: string; root: string; over: string[] }

/** `it('names X over A, B when …')` / `trustWorld('names X …', …)` titles, one per line. */
function worldsOf(suite: string): World[] {
  const out: World[] = [];
  for (const line of readFileSync(join(ROOT, suite), 'utf8').split('\n')) {
    // A test title: the first argument of it()/test() or of a world helper (trustWorld('names …', …)).
    if (/^\s*(\*|\/\/|\/\*)/.test(line) || line.includes('throw ')) continue; // comments and messages are not titles
    if (!/\(\s*['"`]names [A-Z]/.test(line) && !/^\s*['"`]names [A-Z]/.test(line)) continue;
    const m = /names ([A-Z][A-Z0-9_]+)(?: over ([A-Z][A-Z0-9_]+(?:, [A-Z][A-Z0-9_]+)*))?/.exec(line);
    if (m) out.push({ suite, root: m[1]!, over: m[2] ? m[2].split(', ') : [] });
  }
  return out;
}

const worlds = SUITES.flatMap(worldsOf);
const notARoot: Record<string, string> = { ...OPENCODE, ...WEB_IDENTITY };
const codes = new Set<string>(FINDING_CODES);

describe('diagnosis world index', () => {
  it('reads the world suites', () => {
    expect(SUITES).toEqual(expect.arrayContaining(['test/diagnose/worlds.test.ts', 'test/diagnose/worlds-opencode.test.ts', 'test/diagnose/worlds-web-identity.test.ts']));
    expect(worlds.length).toBeGreaterThan(100);
  });

  it('names only codes that exist', () => {
    const unknown = [...worlds.flatMap((w) => [w.root, ...w.over]), ...Object.keys(notARoot)].filter((c) => !codes.has(c));
    expect(unknown).toEqual([]);
  });

  it('gives every finding code a root-cause world, or says why the diagnosis never names it', () => {
    const rooted = new Set(worlds.map((w) => w.root));
    const missing = FINDING_CODES.filter((c) => !rooted.has(c) && !(c in notARoot));
    expect(missing, 'codes with neither a world nor a NOT_A_ROOT reason').toEqual([]);
    for (const [code, why] of Object.entries(notARoot)) expect(why.length, code).toBeGreaterThan(20);
  });

  it('never lists as "not a root" a code a world names as root', () => {
    const both = worlds.filter((w) => w.root in notARoot).map((w) => `${w.root} (${w.suite})`);
    expect(both).toEqual([]);
  });

  it('gives every precedence row a world where the cause wins over an effect it explains', () => {
    const missing = PRECEDENCE.filter((p) => !worlds.some((w) => w.root === p.cause && w.over.some((e) => p.explains.includes(e as never))));
    expect(missing.map((p) => p.cause)).toEqual([]);
  });

  it('names in an "over" world only effects its row explains (the title is what the world asserts)', () => {
    const wrong = worlds.flatMap((w) => {
      const row = PRECEDENCE.find((p) => p.cause === w.root);
      return w.over.filter((e) => !row?.explains.includes(e as never)).map((e) => `${w.root} over ${e} (${w.suite})`);
    });
    // An effect may also be outranked by causal order rather than by a row: such a title must not claim a row.
    expect(wrong).toEqual([]);
  });
});
