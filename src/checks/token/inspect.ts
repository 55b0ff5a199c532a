/**
 * Parses a compact token into facts — with jose, never by hand — or a TOKEN_MALFORMED /
 * TOKEN_ENCRYPTED finding. The raw token never leaves this function: the facts name it
 * by fingerprint only, and carry no signature.
 */
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { fingerprint } from '../../redact.js';
import { fail, type Finding } from '../finding.js';

export type TokenForm = 'JWS' | 'JWE' | 'unsecured';

export interface TokenFacts {
  fingerprint: string;
  form: TokenForm;
  header: ProtectedHeaderParameters;
  /** Claims; empty for a JWE. */
  claims: JWTPayload & Record<string, unknown>;
  /** Number of dot-separated parts (3 for JWS, 5 for JWE). */
  parts: number;
}

export type Inspection = { ok: true; token: TokenFacts } | { ok: false; finding: Finding };

const FIX = 'Pass the compact token itself (three base64url parts separated by dots), e.g. the id_token from your login, not a JSON file or a header line.';

export function inspectToken(raw: string): Inspection {
  const fp = fingerprint(raw);
  const parts = raw.split('.');
  const malformed = (detail: string, evidence: Record<string, unknown> = {}): Inspection => ({
    ok: false,
    finding: fail('TOKEN_MALFORMED', { title: 'The token is not a well-formed JWT', detail, evidence: { token_fingerprint: fp, parts: parts.length, ...evidence }, fix: FIX }),
  });
  if (parts.length !== 3 && parts.length !== 5) {
    return malformed(`A compact JWS has 3 dot-separated parts and a JWE 5; this value has ${parts.length}.`);
  }
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(raw);
  } catch (e) {
    return malformed(`The protected header is not base64url-encoded JSON (${(e as Error).message}).`, { part: 'header' });
  }
  if (typeof header.alg !== 'string') return malformed('The protected header has no "alg".', { part: 'header' });
  if (parts.length === 5) {
    return { ok: true, token: { fingerprint: fp, form: 'JWE', header, claims: {}, parts: 5 } };
  }
  let claims: JWTPayload;
  try {
    claims = decodeJwt(raw);
  } catch (e) {
    const reason = e instanceof joseErrors.JOSEError ? e.message : String(e);
    return malformed(`The payload is not a JSON object of claims (${reason}).`, { part: 'payload' });
  }
  const form: TokenForm = header.alg === 'none' ? 'unsecured' : 'JWS';
  return { ok: true, token: { fingerprint: fp, form, header, claims: claims as TokenFacts['claims'], parts: 3 } };
}

/** Epoch seconds → ISO 8601, or undefined when the value is not a finite number. */
export function isoOf(seconds: unknown): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return undefined;
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
