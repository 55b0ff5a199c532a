/**
 * Listener-rule pattern matching without backtracking (issue 11 §3).
 *
 * - `wildcardMatch`: ALB wildcards (`*` any run, `?` exactly one character), matched by a
 *   two-pointer scan that never backtracks more than to the last `*`: O(pattern × value) at
 *   worst, never exponential, and no RegExp is generated from user data.
 * - `regexTest`: a regex condition value, run by a Thompson-NFA simulation (a set of states
 *   advanced one character at a time): time O(states × value length), bounded by a step
 *   budget. `^/(a+)+$` on any path costs a few hundred steps, not 20 s of backtracking.
 *   Supported: literals, `.`, classes, `\d\w\s` and negations, groups (capturing, `(?:`, named),
 *   `|`, `* + ? {n} {n,} {n,m}` (lazy forms match the same strings), `^ $ \b \B`.
 *   Back-references and look-around need backtracking: reported as unsupported, never run.
 *   Semantics follow JavaScript's RegExp `test` (a search, not anchored), as before this change.
 */

export type PatternResult = { ok: true; matched: boolean; steps: number } | { ok: false; reason: 'invalid' | 'unsupported' | 'budget'; detail: string };

/** ALB wildcard match: `*` any run of characters, `?` exactly one. Linear scan, no RegExp. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < v.length) {
    if (i < p.length && (p[i] === '?' || (p[i] !== '*' && p[i] === v[j]))) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}

// ── regex: parse → NFA → simulate ───────────────────────────────────────────

type CharTest = (c: number) => boolean;
type AssertKind = 'bol' | 'eol' | 'wordb' | 'nwordb';
type Node =
  | { t: 'empty' }
  | { t: 'char'; test: CharTest; neg?: boolean }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: AssertKind };

class PatternError extends Error {
  constructor(readonly reason: 'invalid' | 'unsupported', message: string) {
    super(message);
  }
}

const MAX_PATTERN = 2048;
const MAX_DEPTH = 64;
const MAX_STATES = 20_000;
const MAX_REPEAT = 1000;
export const DEFAULT_STEP_BUDGET = 2_000_000;

const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;
const SPACE = new Set([9, 10, 11, 12, 13, 32, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);
const isSpace = (c: number) => SPACE.has(c) || (c >= 0x2000 && c <= 0x200a);
const isLineEnd = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i < this.src.length) throw new PatternError('invalid', `unmatched ")" at position ${this.i}`);
    return n;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  private cat(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      let atom = this.atom();
      atom = this.quantified(atom);
      items.push(atom);
    }
    return items.length === 0 ? { t: 'empty' } : items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  private quantified(atom: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return atom; // a literal '{' (JavaScript, non-unicode mode)
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? Infinity : Number(m[3]);
      if (max < min) throw new PatternError('invalid', `numbers out of order in {${m[1]}${m[2] ?? ''}} quantifier`);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw new PatternError('unsupported', `a repeat count above ${MAX_REPEAT}`);
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    if (this.peek() === '?') this.i++; // lazy: same set of matching strings
    if (atom.t === 'assert') {
      if (atom.kind === 'bol' || atom.kind === 'eol' || atom.kind === 'wordb' || atom.kind === 'nwordb') throw new PatternError('invalid', 'nothing to repeat');
    }
    const next = this.peek();
    if (next === '*' || next === '+' || next === '?' || (next === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i)))) {
      throw new PatternError('invalid', `nothing to repeat at position ${this.i}`);
    }
    return { t: 'rep', node: atom, min, max };
  }

  private atom(): Node {
    const c = this.src[this.i++]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.':
        return { t: 'char', test: (x) => !isLineEnd(x) };
      case '^':
        return { t: 'assert', kind: 'bol' };
      case '$':
        return { t: 'assert', kind: 'eol' };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new PatternError('invalid', `nothing to repeat at position ${this.i - 1}`);
      case '{':
        if (/^\d+(,\d*)?\}/.test(this.src.slice(this.i))) throw new PatternError('invalid', `nothing to repeat at position ${this.i - 1}`);
        return lit(c);
      default:
        return lit(c);
    }
  }

  private group(): Node {
    if (++this.depth > MAX_DEPTH) throw new PatternError('unsupported', `groups nested deeper than ${MAX_DEPTH}`);
    if (this.peek() === '?') {
      const rest = this.src.slice(this.i, this.i + 3);
      if (rest.startsWith('?:')) this.i += 2;
      else if (rest.startsWith('?=') || rest.startsWith('?!') || rest.startsWith('?<=') || rest.startsWith('?<!')) {
        throw new PatternError('unsupported', 'look-around assertions need a backtracking engine');
      } else if (rest.startsWith('?<')) {
        const m = /^\?<([A-Za-z_$][\w$]*)>/.exec(this.src.slice(this.i));
        if (!m) throw new PatternError('invalid', 'invalid capture group name');
        this.i += m[0].length;
      } else throw new PatternError('invalid', `invalid group at position ${this.i - 1}`);
    }
    const inner = this.alt();
    if (this.peek() !== ')') throw new PatternError('invalid', 'unterminated group');
    this.i++;
    this.depth--;
    return inner;
  }

  private escape(): Node {
    const c = this.src[this.i++];
    if (c === undefined) throw new PatternError('invalid', '\\ at end of pattern');
    if (c === 'b') return { t: 'assert', kind: 'wordb' };
    if (c === 'B') return { t: 'assert', kind: 'nwordb' };
    if (/[1-9]/.test(c) || c === 'k') throw new PatternError('unsupported', 'back-references need a backtracking engine');
    const cls = classEscape(c);
    if (cls) return { t: 'char', test: cls };
    return lit(String.fromCharCode(this.escapedChar(c)));
  }

  /** The character an escape stands for (after the backslash): \n, \xHH, \uHHHH, \cX, or the character itself. */
  private escapedChar(c: string): number {
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, '0': 0 };
    if (c in simple && !(c === '0' && /\d/.test(this.peek() ?? ''))) return simple[c]!;
    if (c === 'x') {
      const m = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.i));
      if (m) {
        this.i += 2;
        return parseInt(m[0], 16);
      }
      return 120;
    }
    if (c === 'u') {
      const m = /^[0-9a-fA-F]{4}/.exec(this.src.slice(this.i));
      if (m) {
        this.i += 4;
        return parseInt(m[0], 16);
      }
      if (this.peek() === '{') throw new PatternError('unsupported', '\\u{…} needs the unicode flag');
      return 117;
    }
    if (c === 'p' || c === 'P') {
      if (this.peek() === '{') throw new PatternError('unsupported', 'unicode property escapes');
    }
    if (c === 'c') {
      const l = this.peek();
      if (l && /[A-Za-z]/.test(l)) {
        this.i++;
        return l.charCodeAt(0) % 32;
      }
      this.i--; // `\c` alone is a literal backslash followed by c
      return 92;
    }
    return c.charCodeAt(0);
  }

  private charClass(): Node {
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    const ranges: Array<[number, number]> = [];
    const tests: CharTest[] = [];
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) throw new PatternError('invalid', 'unterminated character class');
      if (c === ']') {
        // `[]` matches nothing and `[^]` anything, as in JavaScript.
        this.i++;
        break;
      }
      const lo = this.classAtom(tests);
      if (lo === undefined) continue;
      if (this.peek() === '-' && this.src[this.i + 1] !== undefined && this.src[this.i + 1] !== ']') {
        this.i++;
        const hi = this.classAtom(tests);
        if (hi === undefined) {
          ranges.push([lo, lo], [45, 45]); // [a-\d] is a, '-', \d (JavaScript, non-unicode mode)
          continue;
        }
        if (hi < lo) throw new PatternError('invalid', 'range out of order in character class');
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    const inSet = (x: number) => ranges.some(([a, b]) => x >= a && x <= b) || tests.some((t) => t(x));
    // The negation is applied after case folding (caseless), as JavaScript does.
    return { t: 'char', test: inSet, neg: negate };
  }

  /** One class member: a code unit, or undefined after pushing a class escape (\d…) to `tests`. */
  private classAtom(tests: CharTest[]): number | undefined {
    const c = this.src[this.i++]!;
    if (c !== '\\') return c.charCodeAt(0);
    const e = this.src[this.i++];
    if (e === undefined) throw new PatternError('invalid', '\\ at end of pattern');
    if (e === 'b') return 8;
    const cls = classEscape(e);
    if (cls) {
      tests.push(cls);
      return undefined;
    }
    if (/[1-9]/.test(e)) throw new PatternError('unsupported', 'back-references need a backtracking engine');
    return this.escapedChar(e);
  }
}

function lit(ch: string): Node {
  const code = ch.charCodeAt(0);
  return { t: 'char', test: (x) => x === code };
}

function classEscape(c: string): CharTest | undefined {
  switch (c) {
    case 'd':
      return isDigit;
    case 'D':
      return (x) => !isDigit(x);
    case 'w':
      return isWord;
    case 'W':
      return (x) => !isWord(x);
    case 's':
      return isSpace;
    case 'S':
      return (x) => !isSpace(x);
    default:
      return undefined;
  }
}

// NFA states: 0 char, 1 split, 2 assert, 3 match.
interface State {
  op: 0 | 1 | 2 | 3;
  test?: CharTest;
  kind?: AssertKind;
  out?: State;
  out1?: State;
  mark: number;
}

class Builder {
  count = 0;
  state(op: State['op']): State {
    if (++this.count > MAX_STATES) throw new PatternError('unsupported', `the pattern expands to more than ${MAX_STATES} states`);
    return { op, mark: -1 };
  }

  /** Compiles `n` so that it continues to `next`; returns its entry state. */
  build(n: Node, next: State): State {
    switch (n.t) {
      case 'empty':
        return next;
      case 'char': {
        const s = this.state(0);
        const t = n.test;
        s.test = n.neg ? (x) => !t(x) : t;
        s.out = next;
        return s;
      }
      case 'assert': {
        const s = this.state(2);
        s.kind = n.kind;
        s.out = next;
        return s;
      }
      case 'cat': {
        let cur = next;
        for (let k = n.items.length - 1; k >= 0; k--) cur = this.build(n.items[k]!, cur);
        return cur;
      }
      case 'alt': {
        const entries = n.items.map((it) => this.build(it, next));
        let cur = entries[entries.length - 1]!;
        for (let k = entries.length - 2; k >= 0; k--) {
          const s = this.state(1);
          s.out = entries[k];
          s.out1 = cur;
          cur = s;
        }
        return cur;
      }
      case 'rep': {
        let cur = next;
        if (n.max === Infinity) {
          const loop = this.state(1);
          loop.out1 = next;
          loop.out = this.build(n.node, loop);
          cur = loop;
        } else {
          for (let k = 0; k < n.max - n.min; k++) {
            const opt = this.state(1);
            opt.out = this.build(n.node, cur);
            opt.out1 = next;
            cur = opt;
          }
        }
        for (let k = 0; k < n.min; k++) cur = this.build(n.node, cur);
        return cur;
      }
    }
  }
}

const compiled = new Map<string, State | PatternError>();

function compile(source: string, ci: boolean): State {
  const key = `${ci ? 'i' : '-'}${source}`;
  const hit = compiled.get(key);
  if (hit instanceof PatternError) throw hit;
  if (hit) return hit;
  try {
    if (source.length > MAX_PATTERN) throw new PatternError('unsupported', `a pattern longer than ${MAX_PATTERN} characters`);
    const ast = new Parser(source).parse();
    const b = new Builder();
    const match: State = { op: 3, mark: -1 };
    const start = b.build(ci ? caseless(ast) : ast, match);
    if (compiled.size > 500) compiled.clear();
    compiled.set(key, start);
    return start;
  } catch (e) {
    if (e instanceof PatternError) compiled.set(key, e);
    throw e;
  }
}

function caseless(n: Node): Node {
  switch (n.t) {
    case 'char': {
      const t = n.test;
      return { t: 'char', test: (x) => t(x) || t(lower(x)) || t(upper(x)), ...(n.neg ? { neg: true } : {}) };
    }
    case 'cat':
    case 'alt':
      return { ...n, items: n.items.map(caseless) };
    case 'rep':
      return { ...n, node: caseless(n.node) };
    default:
      return n;
  }
}
const lower = (x: number) => String.fromCharCode(x).toLowerCase().charCodeAt(0);
const upper = (x: number) => {
  const u = String.fromCharCode(x).toUpperCase();
  return u.length === 1 ? u.charCodeAt(0) : x;
};

/**
 * Whether `source` (a JavaScript-syntax regex, no flags but `i`) matches somewhere in `value`.
 * Never throws and never backtracks; `budget` caps the state visits.
 */
export function regexTest(source: string, value: string, caseInsensitive: boolean, budget = DEFAULT_STEP_BUDGET): PatternResult {
  let start: State;
  try {
    start = compile(source, caseInsensitive);
  } catch (e) {
    if (e instanceof PatternError) return { ok: false, reason: e.reason, detail: e.message };
    throw e;
  }
  let gen = 0;
  let steps = 0;
  let clist: State[] = [];
  let nlist: State[] = [];
  const stack: State[] = [];
  // Marks are per call: reset them by bumping a generation counter kept on the states.
  const base = nextBase(value.length + 2);
  const add = (list: State[], s0: State, pos: number): boolean => {
    stack.push(s0);
    while (stack.length) {
      const s = stack.pop()!;
      if (s.mark === base + gen) continue;
      s.mark = base + gen;
      steps++;
      if (s.op === 3) return true;
      if (s.op === 1) {
        stack.push(s.out1!, s.out!);
      } else if (s.op === 2) {
        if (assertHolds(s.kind!, value, pos)) stack.push(s.out!);
      } else list.push(s);
    }
    return false;
  };
  for (let pos = 0; pos <= value.length; pos++) {
    if (add(clist, start, pos)) return { ok: true, matched: true, steps };
    if (steps > budget) return { ok: false, reason: 'budget', detail: `more than ${budget} steps` };
    if (pos === value.length) break;
    const c = value.charCodeAt(pos);
    gen++;
    nlist = [];
    for (const s of clist) {
      if (s.test!(c) && add(nlist, s.out!, pos + 1)) return { ok: true, matched: true, steps };
    }
    [clist, nlist] = [nlist, clist];
    if (steps > budget) return { ok: false, reason: 'budget', detail: `more than ${budget} steps` };
  }
  return { ok: true, matched: false, steps };
}

let markBase = 0;
/** A fresh range of mark values for one simulation (states are shared through the cache). */
function nextBase(span: number): number {
  if (markBase > Number.MAX_SAFE_INTEGER / 2) markBase = 0;
  const b = markBase;
  markBase += span + 1;
  return b;
}

function assertHolds(kind: AssertKind, s: string, pos: number): boolean {
  switch (kind) {
    case 'bol':
      return pos === 0;
    case 'eol':
      return pos === s.length;
    case 'wordb':
    case 'nwordb': {
      const a = pos > 0 && isWord(s.charCodeAt(pos - 1));
      const b = pos < s.length && isWord(s.charCodeAt(pos));
      return (a !== b) === (kind === 'wordb');
    }
  }
}
