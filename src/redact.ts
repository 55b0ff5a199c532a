/**
 * The one door out. Everything a tool returns, the CLI prints, or the server logs
 * passes through `Redactor.redact` (or `log`, which uses it).
 *
 * Two passes:
 *  1. Structural: values of secret-named fields are replaced by type, JWK private
 *     members are dropped, known secrets (the raw token, its signature, an API key)
 *     are replaced wherever they appear.
 *     Values of secret-named fields are also replaced where prose repeats them, and so are
 *     the values of an object describing a secret-named claim (`{claim: "password", actual}`).
 *  2. Patterns, as a safety net: JWT-shaped strings, `oc_` API keys, AWS access key
 *     ids / secret keys / session tokens, Authorization / Cookie / Set-Cookie /
 *     X-API-Key values (plain, JSON, Python-repr and JSON-escaped forms), Bearer credentials,
 *     PEM private keys, SSM SecureString echoes, URL userinfo and credential query parameters.
 *     A cheap trigger test skips the patterns for strings that cannot match any of them.
 *
 * A secret is replaced by a labelled fingerprint, `[REDACTED:<label> sha256:<12 hex>]`,
 * never a blank, so two different values can still be told apart.
 */
import { createHash } from 'node:crypto';

/** `sha256:` + the first 12 hex digits of the value's SHA-256: how a token is named in output. */
export function fingerprint(value: string): string {
  return 'sha256:' + createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12);
}

function marker(label: string, value: string): string {
  return `[REDACTED:${label} ${fingerprint(value)}]`;
}

/** Field names whose values are secret whatever they hold. Matched on the whole name, case-insensitively. */
const SECRET_FIELD =
  /^(?:client[_-]?secret|secret|secret[_-]?value|secret[_-]?access[_-]?key|aws[_-]?secret[_-]?access[_-]?key|session[_-]?token|aws[_-]?session[_-]?token|password|passwd|pass[_-]?phrase|authorization|proxy[_-]?authorization|cookie|set[_-]?cookie|x[_-]?api[_-]?key|api[_-]?key|private[_-]?key|access[_-]?token|id[_-]?token|refresh[_-]?token|raw[_-]?token|token|jwt|credentials?|ts_api_client_secret|ts_auth_key|auth[_-]?key)$/i;

/**
 * Whether a field name (or the last segment of a qualified one: `issuer.example:client_secret`,
 * `oidc/client-secret`) names a secret.
 */
export function isSecretName(name: string): boolean {
  if (SECRET_FIELD.test(name)) return true;
  const last = name.split(/[:/.]/).pop() ?? '';
  return last !== name && SECRET_FIELD.test(last);
}

/** Keys that name what an object describes: `{ claim: 'client_secret', actual, expected }`. */
const NAME_KEYS = new Set(['claim', 'name', 'key', 'field', 'header', 'condition_key', 'setting', 'parameter']);
/** Keys of such an object that hold the described value (compare_claims, check_role_trust, …). */
const VALUE_KEYS = new Set(['actual', 'expected', 'value', 'values', 'got', 'want', 'policy_values', 'request_values', 'literal_wildcards', 'token_value', 'claim_value', 'observed', 'sample']);

/**
 * A match pattern, not a value: a short literal prefix and a trailing wildcard — the ALB rule
 * conditions `Authorization = Bearer*` and `X-API-Key = oc_*`. Described by a header name, it is
 * still shown (no credential ends in `*`); anything else that header describes is redacted.
 */
const MATCH_PATTERN = /^[A-Za-z0-9_ .-]{0,24}[*?]+$/;

/** The secret name an object describes (`claim: "refresh_token"`), or undefined. */
function describedSecret(obj: Record<string, unknown>): string | undefined {
  for (const k of NAME_KEYS) {
    const v = obj[k];
    if (typeof v === 'string' && isSecretName(v)) return v;
  }
  return undefined;
}

/** JWK private members (RFC 7517/7518): dropped from any object that has a `kty`. */
const JWK_PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv']);

/** Deeper than this, the redactor replaces a value by a note instead of walking it (never a stack overflow). */
const MAX_WALK_DEPTH = 200;
const TOO_DEEP = '[not shown: nested more than 200 levels deep]';

interface Pattern {
  label: string;
  re: RegExp;
  /** Which capture group holds the secret (0 = whole match). The rest of the match is kept. */
  group?: number;
}

/** Header names whose values are credentials. */
const HEADERS = '(?:proxy-)?authorization|set-cookie|cookie|x-api-key';
/** Query parameters that carry credentials (OAuth, API keys, SigV4 presigned URLs). */
const QUERY_SECRETS = 'access_token|id_token|refresh_token|token|code|client_secret|api_key|apikey|api-key|key|password|secret|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|awsaccesskeyid';
/** A key/value separator in config, JSON, Python reprs and JSON-inside-a-string: `: "`, `=`, `': '`, `\": \"`. */
const SEP = `(\\\\?["']?\\s*[:=]\\s*\\\\?["']?)`;

const URL_PARAM = new RegExp(`([?&#;](?:${QUERY_SECRETS})=)([^&#\\s"'<>\\\\]+)`, 'gi');

const PATTERNS: Pattern[] = [
  { label: 'private-key', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  // JWS (3 parts) and JWE (5 parts); a JSON header always starts `{"` → `eyJ`.
  { label: 'jwt', re: /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){1,3}/g },
  // URL userinfo (`https://user:pass@host`): always stripped, whatever it holds.
  { label: 'url-userinfo', re: /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>\\[\]]+)@/gi, group: 2 },
  // Credential-like query parameters (`?access_token=`, `&X-Amz-Signature=`): always stripped.
  { label: 'url-param', re: URL_PARAM, group: 2 },
  // Header values: quoted forms first (JSON, Python `{'cookie': '…'}`, JSON escaped inside a string).
  { label: 'header', re: new RegExp(`(${HEADERS})(\\\\?["']\\s*[:=]\\s*\\\\?["'])([^"'\\\\\\r\\n]+)`, 'gi'), group: 3 },
  { label: 'header', re: new RegExp(`(${HEADERS})(["']?\\s*[:=]\\s*["']?)([^"\\r\\n]+)`, 'gi'), group: 3 },
  { label: 'bearer', re: /\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{8,})/g, group: 1 },
  { label: 'api-key', re: /\boc_[A-Za-z0-9_-]{8,}/g },
  { label: 'aws-access-key-id', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { label: 'aws-secret', re: new RegExp(`((?:aws[_-]?)?secret[_-]?access[_-]?key|SecretAccessKey)${SEP}([A-Za-z0-9/+=]{20,})`, 'gi'), group: 3 },
  { label: 'aws-session-token', re: new RegExp(`((?:aws[_-]?)?session[_-]?token|SessionToken)${SEP}([A-Za-z0-9/+=]{20,})`, 'gi'), group: 3 },
  { label: 'aws-session-token', re: /(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{20,}/g },
  // A bare 40-character secret access key: mixed case, digits and a '/' or '+'.
  { label: 'aws-secret', re: /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[/+])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g },
  // SSM returns SecureString values read without decryption as `kms:alias/aws/ssm:<plaintext>`.
  { label: 'secure-string', re: /kms:alias\/[^\s:"]+:[^\s"]+/g },
  {
    label: 'secret',
    re: new RegExp(`(client[_-]?secret|password|passwd|TS_API_CLIENT_SECRET|refresh[_-]?token|access[_-]?token|id[_-]?token|api[_-]?key|private[_-]?key|auth[_-]?key)${SEP}([^\\s"'\\\\&,}]+)`, 'gi'),
    group: 3,
  },
];

/**
 * A cheap first look: a string that matches none of these cannot match any pattern above, so the
 * patterns are skipped (most log fields and most prose). Kept a superset of every pattern's trigger.
 */
const TRIGGER =
  /PRIVATE KEY|eyJ|:\/\/[^\s/?#@]*@|[?&#;][\w-]+=|authoriz|cookie|api.?key|bearer|basic|oc_|A[KS]IA|ABIA|ACCA|secret|session|token|passw|IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|kms:alias|auth.?key/i;
/** The bare 40-character AWS secret key needs a 40-character run: only looked for in strings that long. */
const RUN40 = /[A-Za-z0-9/+]{40}/;

const mayHoldSecret = (text: string): boolean => TRIGGER.test(text) || (text.length >= 40 && RUN40.test(text));

/** Values that say "no credential here" (`Cookie: none`, `password: (set)`). */
const PLACEHOLDER_VALUE = /^(?:none|null|undefined|true|false|\(set\)|\(unset\)|-|\*+|…)$/i;

/**
 * Whether a header or Bearer value looks like a credential rather than prose or a placeholder
 * ("Authorization: Bearer <ID token>", "X-API-Key: oc_…", "Bearer*" stay readable): a run of
 * 16+ credential characters, or 8+ with a digit, or a cookie-style name=value. `<…>` placeholders
 * and `prefix…` abbreviations are ignored, but a value next to them (`sid=… accept: *\/*`) is not.
 */
function looksSecret(value: string): boolean {
  const v = value.replace(/<[^<>]*>/g, ' ').replace(/[A-Za-z0-9._~+/=-]*…/g, ' ');
  for (const run of v.match(/[A-Za-z0-9._~+/=-]+/g) ?? []) {
    if (run.length >= 16) return true;
    if (run.length >= 8 && /\d/.test(run)) return true;
    if (/^[^=]+=[^=]{6,}/.test(run)) return true;
  }
  return false;
}

/** Patterns whose captured value must also look like a credential to be replaced. */
const NEEDS_SECRET_SHAPE = new Set(['header', 'bearer']);

/** Replace every pattern hit in one string. */
export function redactPatterns(text: string): string {
  if (!mayHoldSecret(text)) return text;
  let out = text;
  for (const { label, re, group = 0 } of PATTERNS) {
    re.lastIndex = 0;
    if (!re.test(out)) continue;
    re.lastIndex = 0;
    out = out.replace(re, (...m: unknown[]) => {
      const whole = m[0] as string;
      if (whole.startsWith('[REDACTED:')) return whole;
      if (group === 0) return marker(label, whole);
      const secret = m[group] as string | undefined;
      if (!secret || secret.startsWith('[REDACTED:')) return whole;
      if (NEEDS_SECRET_SHAPE.has(label) && !looksSecret(secret)) return whole;
      if (label === 'secret' && (PLACEHOLDER_VALUE.test(secret) || /[<…]/.test(secret))) return whole;
      const prefix = (m.slice(1, group) as (string | undefined)[]).map((s) => s ?? '').join('');
      return prefix + marker(label, secret);
    });
  }
  return out;
}

interface Known {
  value: string;
  label: string;
}

export class Redactor {
  /** Known secrets, longest first so a token is replaced before its parts. */
  private known: Known[] = [];

  constructor(secrets: Iterable<{ value: string; label: string }> = []) {
    for (const s of secrets) this.add(s.value, s.label);
  }

  /**
   * Registers a secret value to be replaced wherever it appears. For a JWT, each of its
   * parts is registered too (a signature alone must not leak either).
   */
  add(value: string, label = 'secret'): this {
    pushKnown(this.known, value, label);
    this.known.sort((a, b) => b.value.length - a.value.length);
    return this;
  }

  text(input: string, extra: readonly Known[] = []): string {
    let out = input;
    for (const list of [this.known, extra]) {
      for (const { value, label } of list) {
        if (out.includes(value)) out = out.split(value).join(marker(label, value));
      }
    }
    return redactPatterns(out);
  }

  /**
   * Deep copy of `value` with every secret replaced. Errors become `{ name, message }`.
   * First the values of secret-named fields anywhere in `value` (a nested `refresh_token`, a
   * `{ claim: "client_secret", actual, expected }` comparison) are collected, so that they are
   * also replaced where prose repeats them; then every string is redacted.
   */
  redact<T>(value: T): T {
    const extra = collectSecrets(value);
    return this.walk(value, undefined, new WeakSet(), extra, 0) as T;
  }

  private walk(value: unknown, key: string | undefined, seen: WeakSet<object>, extra: Known[], depth: number): unknown {
    if (typeof value === 'string') {
      if (key !== undefined && isSecretName(key) && value.length > 0 && !value.startsWith('[REDACTED:')) {
        return marker(key.toLowerCase(), value);
      }
      return this.text(value, extra);
    }
    if (value === null || typeof value !== 'object') return value;
    if (depth > MAX_WALK_DEPTH) return TOO_DEEP;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    try {
      return this.walkObject(value, key, seen, extra, depth);
    } finally {
      // Only a value inside itself is a cycle; the same object twice in one output is not.
      seen.delete(value);
    }
  }

  private walkObject(value: object, key: string | undefined, seen: WeakSet<object>, extra: Known[], depth: number): unknown {
    if (value instanceof Error) {
      return { name: value.name, message: this.text(value.message, extra) };
    }
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map((v) => this.walk(v, key, seen, extra, depth + 1));
    const obj = value as Record<string, unknown>;
    const isJwk = typeof obj.kty === 'string';
    const described = describedSecret(obj);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (isJwk && JWK_PRIVATE.has(k)) continue;
      if (isSecretName(k) && v !== null && typeof v === 'object') {
        out[k] = marker(k.toLowerCase(), safeJson(v));
        continue;
      }
      // `{ claim: "password", actual: …, expected: … }`: the values are the secret's.
      if (described !== undefined && VALUE_KEYS.has(k)) {
        out[k] = markDeep(v, described.toLowerCase(), depth);
        continue;
      }
      out[k] = this.walk(v, k, seen, extra, depth + 1);
    }
    return out;
  }
}

function pushKnown(list: Known[], value: string, label: string): void {
  const v = value.trim();
  if (v.length < 6) return;
  list.push({ value: v, label });
  if (label === 'token' || label === 'jwt') {
    for (const part of v.split('.')) if (part.length >= 16) list.push({ value: part, label: `${label}-part` });
  }
}

/**
 * URL userinfo and credential query values inside `text`, registered as known secrets so that
 * prose repeating them without the URL around (`"a:pw@host"`, a bare value) is redacted too.
 */
function urlSecrets(text: string, found: Known[]): void {
  for (const m of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^\s/?#@"'<>\\[\]]+)@/gi)) pushKnown(found, m[1] ?? '', 'url-userinfo');
  for (const m of text.matchAll(URL_PARAM)) pushKnown(found, m[2] ?? '', 'url-param');
}

/** Every string inside `v` replaced by its marker; arrays and objects keep their shape (output schemas hold). */
function markDeep(v: unknown, label: string, depth: number): unknown {
  if (typeof v === 'string') return v.startsWith('[REDACTED:') || MATCH_PATTERN.test(v) ? v : marker(label, v);
  if (v === null || typeof v !== 'object') return v;
  if (depth > MAX_WALK_DEPTH) return TOO_DEEP;
  if (Array.isArray(v)) return v.map((x) => markDeep(x, label, depth + 1));
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, markDeep(x, label, depth + 1)]));
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * Every string held under a secret-named field, anywhere (without recursion), and the values of
 * objects that describe a secret-named claim. Longest first.
 */
function collectSecrets(root: unknown): Known[] {
  const found: Known[] = [];
  const stack: Array<{ v: unknown; label?: string; depth: number }> = [{ v: root, depth: 0 }];
  let budget = 100_000;
  while (stack.length && budget-- > 0) {
    const { v, label, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (label !== undefined && !v.startsWith('[REDACTED:') && !MATCH_PATTERN.test(v)) pushKnown(found, v, label);
      else if (v.includes('://') || v.includes('=')) urlSecrets(v, found);
      continue;
    }
    if (v === null || typeof v !== 'object' || depth > MAX_WALK_DEPTH) continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push({ v: x, ...(label !== undefined ? { label } : {}), depth: depth + 1 });
      continue;
    }
    if (v instanceof Error || v instanceof Date) continue;
    const obj = v as Record<string, unknown>;
    const described = label === undefined ? describedSecret(obj) : undefined;
    for (const [k, x] of Object.entries(obj)) {
      let l = label;
      if (l === undefined && isSecretName(k)) l = k.toLowerCase();
      if (l === undefined && described !== undefined && VALUE_KEYS.has(k)) l = described.toLowerCase();
      stack.push({ v: x, ...(l !== undefined ? { label: l } : {}), depth: depth + 1 });
    }
  }
  return found.sort((a, b) => b.value.length - a.value.length);
}

/** A redactor with no known secrets: the pattern and field-name passes only. */
export const baseRedactor = new Redactor();

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Logs one JSON line to stderr (stdout is the MCP protocol), redacted.
 * `JWT_TRIAGE_LOG=debug|info|warn|error|silent` sets the threshold (default warn).
 */
export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}, redactor = baseRedactor): void {
  const threshold = process.env.JWT_TRIAGE_LOG ?? 'warn';
  if (threshold === 'silent') return;
  if (LEVELS[level] < (LEVELS[threshold as LogLevel] ?? LEVELS.warn)) return;
  const line = redactor.redact({ time: new Date().toISOString(), level, message, ...fields });
  process.stderr.write(JSON.stringify(line) + '\n');
}
