/**
 * How do two strings differ? One pure function for every "X is not exactly Y" finding:
 * token `iss` vs expected issuer, discovery `issuer` vs `iss`, IAM provider URL vs issuer,
 * `aud` vs `sts.amazonaws.com`, ALB jwt-validation config vs SSM…
 *
 *   describeDifference(actual, expected) → undefined when equal, else { kind, kinds, text }
 *
 * `kinds` lists every difference found, in this order: `whitespace` (surrounding spaces or
 * newlines), `scheme` (http vs https, or one has none), `trailing_slash`, `case`, then at most
 * one of `host`, `path` (URL-like values: same host, different path — or none vs some),
 * `near_miss` (≤ 2 edits, ≤ 3 from 10 characters: `sts.amazon.com` vs `sts.amazonaws.com`) or `different`.
 * `kind` is the most telling one: the last of host/path/near_miss/different when present,
 * else the first cosmetic one. `text` is one clause in plain words ("actual ends with "/",
 * expected does not; …") that callers put into a finding's detail; it says "actual" for the
 * first argument and "expected" for the second.
 */

export type DifferenceKind = 'whitespace' | 'scheme' | 'trailing_slash' | 'case' | 'host' | 'path' | 'near_miss' | 'different';

export interface Difference {
  /** The most telling difference. */
  kind: DifferenceKind;
  /** Every difference found, cosmetic ones first. */
  kinds: DifferenceKind[];
  /** Plain words, e.g. `scheme differs: actual uses "http://", expected "https://"`. */
  text: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const MAX_EDIT_INPUT = 512;

export function describeDifference(actual: string, expected: string): Difference | undefined {
  if (actual === expected) return undefined;
  const kinds: DifferenceKind[] = [];
  const notes: string[] = [];
  let a = actual;
  let e = expected;

  if (a.trim() !== a || e.trim() !== e) {
    kinds.push('whitespace');
    notes.push(`${a.trim() !== a ? 'actual' : 'expected'} has surrounding whitespace (a space or newline)`);
    a = a.trim();
    e = e.trim();
  }
  const sa = SCHEME.exec(a)?.[1]?.toLowerCase();
  const se = SCHEME.exec(e)?.[1]?.toLowerCase();
  if (sa !== se) {
    kinds.push('scheme');
    notes.push(schemeNote(sa, se));
  }
  const urlLike = sa !== undefined || se !== undefined;
  a = a.replace(SCHEME, '');
  e = e.replace(SCHEME, '');
  if (a.endsWith('/') !== e.endsWith('/')) {
    kinds.push('trailing_slash');
    notes.push(`${a.endsWith('/') ? 'actual' : 'expected'} ends with "/", ${a.endsWith('/') ? 'expected' : 'actual'} does not`);
  }
  a = a.replace(/\/+$/, '');
  e = e.replace(/\/+$/, '');
  if (a !== e && a.toLowerCase() === e.toLowerCase()) {
    kinds.push('case');
    notes.push(`letter case differs ("${clip(a)}" vs "${clip(e)}")`);
  } else if (a !== e) {
    const [kind, note] = urlLike ? urlDifference(a, e) : wordDifference(a, e);
    kinds.push(kind);
    notes.push(note);
  }
  if (kinds.length === 0) {
    // Only the scheme's letter case differed (HTTPS:// vs https://).
    kinds.push('case');
    notes.push('letter case of the scheme differs');
  }
  const terminal = kinds.find((k) => k === 'host' || k === 'path' || k === 'near_miss' || k === 'different');
  return { kind: terminal ?? (kinds[0] as DifferenceKind), kinds, text: notes.join('; ') };
}

function schemeNote(sa: string | undefined, se: string | undefined): string {
  if (sa && se) return `scheme differs: actual uses "${sa}://", expected "${se}://"`;
  if (se) return `actual has no scheme, expected starts with "${se}://"`;
  return `actual starts with "${sa}://", expected has no scheme`;
}

/** Scheme-less, slash-trimmed URL-like values: compare host, then path. */
function urlDifference(a: string, e: string): [DifferenceKind, string] {
  const [ha, pa] = splitHost(a);
  const [he, pe] = splitHost(e);
  if (ha.toLowerCase() !== he.toLowerCase()) {
    const near = nearMiss(ha.toLowerCase(), he.toLowerCase());
    return ['host', `host differs: "${clip(ha)}" vs "${clip(he)}"${near ? ` (${near})` : ''}`];
  }
  const show = (p: string) => (p ? `"${clip(p)}"` : 'no path');
  return ['path', `same host, path differs: actual has ${show(pa)}, expected ${show(pe)}`];
}

function wordDifference(a: string, e: string): [DifferenceKind, string] {
  const near = nearMiss(a, e);
  if (near) return ['near_miss', `near miss: ${near}`];
  return ['different', `the values are different ("${clip(a)}" vs "${clip(e)}")`];
}

function splitHost(v: string): [string, string] {
  const i = v.indexOf('/');
  return i < 0 ? [v, ''] : [v.slice(0, i), v.slice(i)];
}

/** A description of a small edit, or undefined when the strings are not close. */
function nearMiss(a: string, e: string): string | undefined {
  if (Math.min(a.length, e.length) < 4 || Math.max(a.length, e.length) > MAX_EDIT_INPUT) return undefined;
  const d = editDistance(a, e);
  // A misspelling, not another value: at most 2 edits (3 for values of 10+ characters).
  if (d > (Math.max(a.length, e.length) >= 10 ? 3 : 2)) return undefined;
  let pre = 0;
  while (pre < a.length && pre < e.length && a[pre] === e[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < e.length - pre && a[a.length - 1 - suf] === e[e.length - 1 - suf]) suf++;
  const ma = a.slice(pre, a.length - suf);
  const me = e.slice(pre, e.length - suf);
  const where = pre > 0 ? ` after "${clip(a.slice(0, pre))}"` : ' at the start';
  const what = !ma ? `expected has "${me}" that actual lacks` : !me ? `actual has "${ma}" that expected lacks` : `actual has "${ma}" where expected has "${me}"`;
  return `${d} character edit${d === 1 ? '' : 's'} apart: ${what}${where}`;
}

/** Levenshtein distance (insert, delete, substitute). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

function clip(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
