/**
 * Reads a JWKS document into public key facts (kid, kty, alg, use, size, RFC 7638
 * thumbprint) and judges its shape: JWKS_INVALID and JWKS_PRIVATE_KEY_EXPOSED.
 * Every JWK operation is jose's; private member values never leave this file.
 */
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';
import { fail, pass, type Finding } from '../finding.js';

/** The public facts of one key. `jwk` holds public members only. */
export interface KeyFacts {
  index: number;
  kid?: string | undefined;
  kty?: string | undefined;
  alg?: string | undefined;
  use?: string | undefined;
  crv?: string | undefined;
  size_bits?: number | undefined;
  thumbprint?: string | undefined;
  /** Names (never values) of private members found in the published key. */
  private_members: string[];
  usable: boolean;
  problem?: string | undefined;
  jwk: JWK;
}

export interface KeySetFacts {
  keys: KeyFacts[];
  findings: Finding[];
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];
const EC_ALG: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512', secp256k1: 'ES256K' };
const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, Ed25519: 255, Ed448: 448, X25519: 255, X448: 448 };
const FIX_SHAPE = 'Serve {"keys": [ … ]} where each key has a unique kid, a kty and its public members (n and e for RSA).';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The algorithm to import a key with: its own `alg`, else the one its type implies. */
function importAlg(jwk: JWK): string | undefined {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC') return EC_ALG[jwk.crv ?? ''];
  if (jwk.kty === 'OKP') return jwk.crv?.startsWith('X') ? 'ECDH-ES' : 'EdDSA';
  return undefined;
}

async function readKey(raw: unknown, index: number): Promise<KeyFacts> {
  const obj = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const privateMembers = PRIVATE_MEMBERS.filter((m) => m in obj);
  const jwk = Object.fromEntries(Object.entries(obj).filter(([k]) => !PRIVATE_MEMBERS.includes(k))) as JWK;
  const facts: KeyFacts = {
    index,
    kid: str(obj.kid),
    kty: str(obj.kty),
    alg: str(obj.alg),
    use: str(obj.use),
    crv: str(obj.crv),
    private_members: privateMembers,
    usable: false,
    jwk,
  };
  if (!facts.kty) return { ...facts, problem: 'no "kty" member' };
  const alg = importAlg(jwk);
  if (!alg) return { ...facts, problem: `kty "${facts.kty}" is not a public key type a verifier can use` };
  try {
    const key = await importJWK(jwk, alg);
    const algo = (key as CryptoKey).algorithm as { modulusLength?: number; namedCurve?: string; name?: string };
    facts.size_bits = algo.modulusLength ?? CURVE_BITS[algo.namedCurve ?? facts.crv ?? algo.name ?? ''];
    facts.thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
    facts.usable = true;
  } catch (e) {
    facts.problem = `cannot be imported (${(e as Error).message})`;
  }
  return facts;
}

/** Parses and judges a JWKS document. `json` is whatever the source returned. */
export async function readKeySet(json: unknown): Promise<KeySetFacts> {
  if (!json || typeof json !== 'object' || !Array.isArray((json as { keys?: unknown }).keys)) {
    const shape = Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json === 'object' ? `an object with members ${Object.keys(json).slice(0, 8).join(', ') || '(none)'}` : typeof json;
    return {
      keys: [],
      findings: [fail('JWKS_INVALID', { title: 'The JWKS is not {"keys": [...]}', detail: `The document is ${shape}.`, evidence: { shape }, fix: FIX_SHAPE })],
    };
  }
  const keys = await Promise.all((json as { keys: unknown[] }).keys.map(readKey));
  return { keys, findings: [exposureFinding(keys), ...shapeFindings(keys)] };
}

function shapeFindings(keys: KeyFacts[]): Finding[] {
  const problems: string[] = [];
  if (keys.length === 0) problems.push('the "keys" array is empty');
  for (const k of keys) {
    if (k.problem && k.private_members.length === 0) problems.push(`key #${k.index}${k.kid ? ` (kid ${k.kid})` : ''} ${k.problem}`);
  }
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const k of keys) {
    if (k.kid === undefined) continue;
    if (seen.has(k.kid)) duplicates.add(k.kid);
    seen.add(k.kid);
  }
  if (duplicates.size) problems.push(`duplicate kid ${[...duplicates].join(', ')} (a verifier cannot tell which key to use)`);
  if (problems.length === 0) {
    return [pass('JWKS_INVALID', { title: `The JWKS holds ${keys.length} usable key(s)`, evidence: { key_count: keys.length } })];
  }
  return [
    fail('JWKS_INVALID', {
      title: 'The JWKS has unusable or ambiguous keys',
      detail: problems.join('; ') + '.',
      evidence: { key_count: keys.length, problems, duplicate_kids: [...duplicates] },
      fix: FIX_SHAPE,
    }),
  ];
}

function exposureFinding(keys: KeyFacts[]): Finding {
  const exposed = keys.filter((k) => k.private_members.length > 0);
  if (exposed.length === 0) return pass('JWKS_PRIVATE_KEY_EXPOSED', { title: 'No key carries private members' });
  const list = exposed.map((k) => ({ index: k.index, kid: k.kid, members: k.private_members }));
  return fail('JWKS_PRIVATE_KEY_EXPOSED', {
    title: `${exposed.length} published key(s) carry private key material`,
    detail: `Key(s) ${list.map((k) => k.kid ?? `#${k.index}`).join(', ')} include private members (${[...new Set(exposed.flatMap((k) => k.private_members))].join(', ')}). Anyone can sign tokens with them. The values are not shown.`,
    evidence: { exposed: list },
    fix: 'Rotate these keys now (new key pair, new kid), publish only the public members, and revoke trust in tokens signed by the exposed keys.',
  });
}
