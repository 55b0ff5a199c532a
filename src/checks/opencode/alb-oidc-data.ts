/**
 * The `x-amzn-oidc-data` header an ALB authenticate action adds: a JWT-format value signed by
 * the load balancer (ES256, ECDSA P-256 + SHA-256) whose HEADER carries `kid`, `signer` (the
 * ALB's ARN), `iss`, `client` and `exp`. The public key is a PEM at
 * https://public-keys.auth.elb.<region>.amazonaws.com/<kid>.
 *
 * Source: ALB User Guide, "Authenticate users using an Application Load Balancer", section
 * "User claims encoding and signature verification": the parts are base64url encoded AND
 * include padding characters at the end, which some JWT libraries reject (reported in
 * awsdocs/elb-application-load-balancers-user-guide issue #42, "x-amzn-oidc-data is not a
 * JSON Web Token"). So the value is decoded leniently here and the signature is checked over
 * the header and payload exactly as received (padding included), the way AWS's own example
 * verifies it; the unpadded form is tried too and the result says which one verified.
 */
import { createPublicKey, verify } from 'node:crypto';
import { fail, pass, skip, type Finding } from '../finding.js';

export interface OidcDataParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** header.payload as received, and with '=' padding removed. */
  signingInputs: { asReceived: string; unpadded: string };
  signature: Buffer;
  padded: boolean;
}

const b64 = (s: string) => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
const json = (s: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(b64(s).toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

export function parseOidcData(raw: string): { ok: true; parts: OidcDataParts } | { ok: false; finding: Finding } {
  const v = raw.trim();
  const segs = v.split('.');
  const bad = (why: string) => ({ ok: false as const, finding: fail('TOKEN_MALFORMED', { title: `The x-amzn-oidc-data value is malformed: ${why}`, detail: 'Copy the whole header value (three dot-separated parts) from the request the target received.', evidence: { parts: segs.length, length: v.length } }) });
  if (segs.length !== 3 || segs.some((s) => !/^[A-Za-z0-9_\-+/]*={0,2}$/.test(s))) return bad('it is not three base64 parts separated by dots');
  const [h, p, sig] = segs as [string, string, string];
  const header = json(h);
  const payload = json(p);
  if (!header) return bad('the first part is not a JSON object');
  if (!payload) return bad('the second part is not a JSON object');
  const strip = (s: string) => s.replace(/=+$/, '');
  return { ok: true, parts: { header, payload, signature: b64(sig), padded: /=/.test(h + p + sig), signingInputs: { asReceived: `${h}.${p}`, unpadded: `${strip(h)}.${strip(p)}` } } };
}

/** Verifies ES256 over the signing input as received, then unpadded. Raw (r||s) or DER signatures. */
export function verifyOidcData(parts: OidcDataParts, pem: string): { verified: boolean; form?: 'as_received' | 'unpadded' } {
  const key = createPublicKey(pem);
  const enc = parts.signature.length === 64 ? 'ieee-p1363' : 'der';
  for (const [form, input] of [['as_received', parts.signingInputs.asReceived], ['unpadded', parts.signingInputs.unpadded]] as const) {
    try {
      if (verify('sha256', Buffer.from(input), { key, dsaEncoding: enc }, parts.signature)) return { verified: true, form };
    } catch {
      /* a malformed signature verifies nothing */
    }
  }
  return { verified: false };
}

/** ALB_OIDC_DATA_SIGNATURE: ES256 with a kid, and the verification result (undefined: key not fetched). */
export function checkOidcDataSignature(header: Record<string, unknown>, result: { verified: boolean; form?: string } | undefined, keyUrl: string | undefined): Finding {
  const evidence = { alg: header.alg ?? null, kid: header.kid ?? null, key_url: keyUrl ?? null, verified_form: result?.form ?? null };
  if (header.alg !== 'ES256') return fail('ALB_OIDC_DATA_SIGNATURE', { title: `alg is ${JSON.stringify(header.alg)}, not ES256`, detail: 'The ALB signs x-amzn-oidc-data with ES256 only; this value was not produced by an ALB (or was altered).', evidence, fix: 'Capture the header from a request that passed through the ALB.' });
  if (typeof header.kid !== 'string' || !header.kid) return fail('ALB_OIDC_DATA_SIGNATURE', { title: 'The header has no kid', detail: 'The ALB names its signing key by kid; without it no public key can be fetched.', evidence });
  if (!result) return skip('ALB_OIDC_DATA_SIGNATURE', { title: 'The signature was not checked (the public key could not be fetched)', evidence });
  if (!result.verified) return fail('ALB_OIDC_DATA_SIGNATURE', { title: 'The signature does not verify with the ALB public key for this kid', detail: 'The value was altered, truncated, or signed in another region (the key URL is per region).', evidence, fix: 'Capture the header again; pass the ALB\'s region (from its ARN).' });
  return pass('ALB_OIDC_DATA_SIGNATURE', { title: `ES256 signature verified with key ${header.kid}${result.form === 'unpadded' ? ' (over the unpadded form)' : ''}`, evidence });
}

/** ALB_OIDC_DATA_SIGNER_MISMATCH: the header's signer must be the expected ALB ARN (AWS says to check it). */
export function checkSigner(header: Record<string, unknown>, expected: string | undefined): Finding {
  const signer = typeof header.signer === 'string' ? header.signer : undefined;
  const evidence = { signer: signer ?? null, expected: expected ?? null };
  if (!expected) return skip('ALB_OIDC_DATA_SIGNER_MISMATCH', { title: `signer ${signer ?? '(none)'} not compared (no expected ALB ARN given)`, evidence });
  if (signer === expected) return pass('ALB_OIDC_DATA_SIGNER_MISMATCH', { title: 'signer is the expected ALB', evidence });
  return fail('ALB_OIDC_DATA_SIGNER_MISMATCH', {
    title: 'signer is not the expected ALB',
    detail: `signer ${signer ?? '(none)'}; expected ${expected}. AWS tells backends to reject a value whose signer is not their own load balancer: it may come from another ALB, or from a client that sent the header itself.`,
    evidence,
    fix: 'Make sure the target is reachable only through its ALB (security group), and compare with aws ssm get-parameter --name /opencode/<env>/alb/oidc/arn.',
  });
}

/** TOKEN_EXPIRED for the header's exp (epoch seconds). */
export function checkOidcDataExp(header: Record<string, unknown>, now: Date): Finding {
  const exp = typeof header.exp === 'number' ? header.exp : typeof header.exp === 'string' && /^\d+$/.test(header.exp) ? Number(header.exp) : undefined;
  const nowS = Math.floor(now.getTime() / 1000);
  const evidence = { exp: exp ?? null, now: nowS };
  if (exp === undefined) return fail('TOKEN_EXPIRED', { title: 'The header has no exp', detail: 'The ALB puts exp in the x-amzn-oidc-data header.', evidence });
  if (nowS > exp) return fail('TOKEN_EXPIRED', { title: `x-amzn-oidc-data expired at ${new Date(exp * 1000).toISOString()} (${nowS - exp} s ago)`, detail: 'A backend that checks exp rejects it; the ALB issues a fresh one on each request with a valid session.', evidence, fix: 'Capture the header from a fresh request.' });
  return pass('TOKEN_EXPIRED', { title: `x-amzn-oidc-data valid until ${new Date(exp * 1000).toISOString()}`, evidence });
}
