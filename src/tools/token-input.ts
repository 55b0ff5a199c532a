/**
 * The one way a tool reads a token: resolve token / token_file / token_env, register the raw
 * value with the redactor at once, and inspect it. A malformed token is a finding, not an error.
 */
import type { Finding } from '../checks/finding.js';
import { inspectToken, type TokenFacts } from '../checks/token/inspect.js';
import { MAX_NESTING, tooDeep } from '../depth.js';
import { fingerprint } from '../redact.js';
import { UsageError } from '../sources/errors.js';
import { readToken } from '../sources/secret-ref.js';
import type { ToolContext } from './define.js';

export interface TokenIn {
  token?: string | undefined;
  token_file?: string | undefined;
  token_env?: string | undefined;
}

export interface LoadedToken {
  /** Stays in memory; already registered as a secret. */
  raw: string;
  /** `file:…`, `env:NAME` or `inline`. */
  source: string;
  fingerprint: string;
  facts?: TokenFacts | undefined;
  /** TOKEN_MALFORMED when the value is not a JWT. */
  malformed?: Finding | undefined;
}

export const hasToken = (i: TokenIn) => i.token !== undefined || i.token_file !== undefined || i.token_env !== undefined;

/** Reads a token that must be given (UsageError naming the inputs otherwise). */
export async function loadToken(input: TokenIn, ctx: ToolContext): Promise<LoadedToken> {
  const { value, source } = await readToken(input, ctx.env);
  ctx.secret(value, 'token');
  const base = { raw: value, source, fingerprint: fingerprint(value) };
  const ins = inspectToken(value);
  if (ins.ok && (tooDeep(ins.token.claims) || tooDeep(ins.token.header))) throw new UsageError(`The token's claims are nested more than ${MAX_NESTING} levels deep; jwt-triage does not read such a token (no verifier would accept it).`, 'Pass the token your identity provider issued; this one was built by hand or is corrupt.');
  return ins.ok ? { ...base, facts: ins.token } : { ...base, malformed: ins.finding };
}

/** Reads a token when one was given; undefined otherwise. */
export async function loadOptionalToken(input: TokenIn, ctx: ToolContext): Promise<LoadedToken | undefined> {
  return hasToken(input) ? loadToken(input, ctx) : undefined;
}

/** The output fields that name a token: its fingerprint and where it came from. */
export function tokenIdent(t: LoadedToken): { token_fingerprint: string; token_source: string };
export function tokenIdent(t: LoadedToken | undefined): { token_fingerprint?: string; token_source?: string };
export function tokenIdent(t: LoadedToken | undefined) {
  return t ? { token_fingerprint: t.fingerprint, token_source: t.source } : {};
}
