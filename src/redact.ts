/**
 * The one door out. Everything a tool returns, the CLI prints, or the server logs
 * passes through `Redactor.redact` (or `log`, which uses it).
 *
 * Two passes:
 *  1. Structural: values of secret-named fields are replaced by type, JWK private
 *     members are dropped, known secrets (the raw token, its signature, an API key)
 *     are replaced wherever they appear.
 *  2. Patterns, as a safety net: JWT-shaped strings, `oc_` API keys, AWS access key
 *     ids / secret keys / session tokens, Authorization / Cookie / Set-Cookie /
 *     X-API-Key values, Bearer credentials, PEM private keys, SSM SecureString echoes.
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
  /^(?:client_?secret|secret|secret_?value|secret_?access_?key|aws_?secret_?access_?key|session_?token|aws_?session_?token|password|passwd|pass_?phrase|authorization|proxy_?authorization|cookie|set_?cookie|x_?api_?key|api_?key|private_?key|access_?token|id_?token|refresh_?token|raw_?token|token|jwt|credentials?|ts_api_client_secret|ts_auth_key|auth_?key)$/i;

/** JWK private members (RFC 7517/7518): dropped from any object that has a `kty`. */
const JWK_PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv']);

interface Pattern {
  label: string;
  re: RegExp;
  /** Which capture group holds the secret (0 = whole match). The rest of the match is kept. */
  group?: number;
}

const PATTERNS: Pattern[] = [
  { label: 'private-key', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  // JWS (3 parts) and JWE (5 parts); a JSON header always starts `{"` → `eyJ`.
  { label: 'jwt', re: /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){1,3}/g },
  { label: 'header', re: /((?:proxy-)?authorization|set-cookie|cookie|x-api-key)("?\s*[:=]\s*"?)([^"\r\n]+)/gi, group: 3 },
  { label: 'bearer', re: /\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{8,})/g, group: 1 },
  { label: 'api-key', re: /\boc_[A-Za-z0-9_-]{8,}/g },
  { label: 'aws-access-key-id', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  {
    label: 'aws-secret',
    re: /(secret_?access_?key|SecretAccessKey|aws_secret_access_key)("?\s*[:=]\s*"?)([A-Za-z0-9/+=]{20,})/gi,
    group: 3,
  },
  {
    label: 'aws-session-token',
    re: /(session_?token|SessionToken|aws_session_token)("?\s*[:=]\s*"?)([A-Za-z0-9/+=]{20,})/gi,
    group: 3,
  },
  { label: 'aws-session-token', re: /(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{20,}/g },
  // A bare 40-character secret access key: mixed case, digits and a '/' or '+'.
  { label: 'aws-secret', re: /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[/+])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g },
  // SSM returns SecureString values read without decryption as `kms:alias/aws/ssm:<plaintext>`.
  { label: 'secure-string', re: /kms:alias\/[^\s:"]+:[^\s"]+/g },
  { label: 'secret', re: /(client_secret|clientsecret|password|TS_API_CLIENT_SECRET)("?\s*[:=]\s*"?)([^\s"&,}]+)/gi, group: 3 },
];

/**
 * Whether a header or Bearer value looks like a credential rather than prose or a placeholder
 * ("Authorization: Bearer <ID token>", "X-API-Key: oc_…", "Bearer*" stay readable): a run of
 * 16+ credential characters, or 8+ with a digit, or a cookie-style name=value.
 */
function looksSecret(value: string): boolean {
  if (/[<>…*]/.test(value)) return false;
  for (const run of value.match(/[A-Za-z0-9._~+/=-]+/g) ?? []) {
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
  let out = text;
  for (const { label, re, group = 0 } of PATTERNS) {
    out = out.replace(re, (...m: unknown[]) => {
      const whole = m[0] as string;
      if (whole.startsWith('[REDACTED:')) return whole;
      if (group === 0) return marker(label, whole);
      const secret = m[group] as string | undefined;
      if (!secret || secret.startsWith('[REDACTED:')) return whole;
      if (NEEDS_SECRET_SHAPE.has(label) && !looksSecret(secret)) return whole;
      const prefix = (m.slice(1, group) as (string | undefined)[]).map((s) => s ?? '').join('');
      return prefix + marker(label, secret);
    });
  }
  return out;
}

export class Redactor {
  /** Known secrets, longest first so a token is replaced before its parts. */
  private known: Array<{ value: string; label: string }> = [];

  constructor(secrets: Iterable<{ value: string; label: string }> = []) {
    for (const s of secrets) this.add(s.value, s.label);
  }

  /**
   * Registers a secret value to be replaced wherever it appears. For a JWT, each of its
   * parts is registered too (a signature alone must not leak either).
   */
  add(value: string, label = 'secret'): this {
    const v = value.trim();
    if (v.length < 6) return this;
    this.known.push({ value: v, label });
    if (label === 'token' || label === 'jwt') {
      for (const part of v.split('.')) if (part.length >= 16) this.known.push({ value: part, label: `${label}-part` });
    }
    this.known.sort((a, b) => b.value.length - a.value.length);
    return this;
  }

  text(input: string): string {
    let out = input;
    for (const { value, label } of this.known) {
      if (out.includes(value)) out = out.split(value).join(marker(label, value));
    }
    return redactPatterns(out);
  }

  /** Deep copy of `value` with every secret replaced. Errors become `{ name, message }`. */
  redact<T>(value: T): T {
    return this.walk(value, undefined, new WeakSet()) as T;
  }

  private walk(value: unknown, key: string | undefined, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') {
      if (key !== undefined && SECRET_FIELD.test(key) && value.length > 0 && !value.startsWith('[REDACTED:')) {
        return marker(key.toLowerCase(), value);
      }
      return this.text(value);
    }
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    try {
      return this.walkObject(value, key, seen);
    } finally {
      // Only a value inside itself is a cycle; the same object twice in one output is not.
      seen.delete(value);
    }
  }

  private walkObject(value: object, key: string | undefined, seen: WeakSet<object>): unknown {
    if (value instanceof Error) {
      return { name: value.name, message: this.text(value.message) };
    }
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map((v) => this.walk(v, key, seen));
    const obj = value as Record<string, unknown>;
    const isJwk = typeof obj.kty === 'string';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (isJwk && JWK_PRIVATE.has(k)) continue;
      if (SECRET_FIELD.test(k) && v !== null && typeof v === 'object') {
        out[k] = marker(k.toLowerCase(), JSON.stringify(v));
        continue;
      }
      out[k] = this.walk(v, k, seen);
    }
    return out;
  }
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
