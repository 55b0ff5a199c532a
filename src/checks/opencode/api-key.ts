/**
 * The router's API-key authentication (services/router/main.py), judged from facts:
 * the key's shape, then the DynamoDB item found by the key's SHA-256 hex digest.
 * Router order: no item → 401 invalid_api_key; status ≠ active → 401 revoked_api_key;
 * expires_at past → 401 expired_api_key. Validated keys are cached 300 s per ECS task.
 */
import { createHash } from 'node:crypto';
import { error, fail, pass, skip, warn, type Finding } from '../finding.js';

/** `oc_` + `secrets.token_urlsafe(32)` = 43 base64url characters. */
export const API_KEY_SHAPE = /^oc_[A-Za-z0-9_-]{43}$/;
export const API_KEY_PREFIX_LENGTH = 10;
const CACHE_SECONDS = 300;
const CREATE_KEY_FIX = 'Create a new key with POST /v1/api-keys (with your ID token as the Bearer token) and use the "key" it returns once.';

/** What the router stores and looks up: sha256(key).hexdigest(). */
export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The router's public id for a key: its first 10 characters, shown only for `oc_` keys. */
export function publicPrefix(key: string): string | undefined {
  return key.startsWith('oc_') ? key.slice(0, API_KEY_PREFIX_LENGTH) : undefined;
}

export function checkApiKeyShape(key: string): Finding[] {
  if (!key.startsWith('oc_')) {
    const caseOnly = key.toLowerCase().startsWith('oc_');
    return [
      fail('API_KEY_BAD_PREFIX', {
        title: 'The API key does not start with oc_',
        detail: caseOnly
          ? 'The ALB matches header values case-insensitively, so rule 10 (an X-API-Key header matching oc_*) forwards it, but the router checks the prefix case-sensitively and answers 401 missing_credentials.'
          : 'The ALB forwards X-API-Key only when it matches oc_* (rule 10). Without a Bearer header this request matches no rule and gets the default action: 403 "Forbidden - Authentication required". The router never sees it, so it logs nothing.',
        evidence: { length: key.length, expected_prefix: 'oc_' },
        fix: 'Send the key exactly as POST /v1/api-keys returned it (it starts with oc_); check for a lost prefix, quotes or a "Bearer " in front.',
      }),
    ];
  }
  if (!API_KEY_SHAPE.test(key)) {
    const bad = [...key.slice(3)].filter((c) => !/[A-Za-z0-9_-]/.test(c)).length;
    return [
      pass('API_KEY_BAD_PREFIX', { title: 'The key starts with oc_ (ALB rule 10 forwards it)' }),
      fail('API_KEY_MALFORMED', {
        title: 'The API key is not oc_ + 43 base64url characters',
        detail: `It has ${key.length - 3} characters after oc_ (expected 43)${bad ? `, ${bad} of them outside A-Z a-z 0-9 - _` : ''}. The ALB forwards it, the router finds no item for its hash and answers 401 invalid_api_key.`,
        evidence: { length: key.length, expected_length: 46, invalid_characters: bad },
        fix: 'The key was truncated or altered when copied; copy it again from where it was saved, or create a new one. ' + CREATE_KEY_FIX,
      }),
    ];
  }
  return [
    pass('API_KEY_BAD_PREFIX', { title: 'The key starts with oc_ (ALB rule 10 forwards it)' }),
    pass('API_KEY_MALFORMED', { title: 'The key has the router\'s shape (oc_ + 43 base64url characters)' }),
  ];
}

export type ApiKeyItem = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Judges the DynamoDB item found (or not) for the key's hash, in the router's order. */
export function checkApiKeyItem(item: ApiKeyItem | undefined, now: Date, where: { table: string; keyHash: string }): Finding[] {
  const evidence = { table: where.table, key_hash: where.keyHash };
  if (!item) {
    return [
      fail('API_KEY_UNKNOWN', {
        title: 'No API key with this hash exists',
        detail: `Table ${where.table} has no item with key_hash ${where.keyHash}: the router answers 401 invalid_api_key. A key from another environment (another table) looks the same.`,
        evidence,
        fix: CREATE_KEY_FIX,
      }),
    ];
  }
  const ev = { ...evidence, key_prefix: item.key_prefix, status: item.status, user_sub: item.user_sub };
  const out: Finding[] = [pass('API_KEY_UNKNOWN', { title: `The key exists in ${where.table}`, evidence: ev })];
  if (item.status !== 'active') {
    const revokedAt = str(item.revoked_at);
    const age = revokedAt ? (now.getTime() - Date.parse(revokedAt)) / 1000 : NaN;
    const cached = Number.isFinite(age) && age >= 0 && age < CACHE_SECONDS;
    out.push(
      fail('API_KEY_REVOKED', {
        title: `The API key is ${String(item.status ?? 'not active')}`,
        detail:
          `status is "${String(item.status)}"${revokedAt ? ` since ${revokedAt}` : ''}: the router answers 401 revoked_api_key.` +
          (cached
            ? ` It was revoked ${Math.round(age)} s ago: ECS tasks that validated it earlier may keep accepting it from their 300 s cache until ${new Date(Date.parse(revokedAt!) + CACHE_SECONDS * 1000).toISOString()}.`
            : ' Revocation clears only one task\'s cache; other tasks may accept a just-revoked key for up to 300 s.'),
        evidence: { ...ev, revoked_at: revokedAt, cache_seconds: CACHE_SECONDS, possibly_cached: cached },
        fix: CREATE_KEY_FIX,
      }),
    );
    return out;
  }
  out.push(pass('API_KEY_REVOKED', { title: 'The key is active' }));
  const expiresAt = str(item.expires_at);
  const expiresMs = expiresAt ? Date.parse(expiresAt) : NaN;
  if (expiresAt && Number.isNaN(expiresMs)) {
    out.push(error('API_KEY_EXPIRED', { title: 'expires_at is not an ISO 8601 time', detail: 'The router cannot compare it and fails the request.', evidence: { ...ev, expires_at: expiresAt } }));
  } else if (expiresMs <= now.getTime()) {
    out.push(
      fail('API_KEY_EXPIRED', {
        title: 'The API key has expired',
        detail: `expires_at ${expiresAt} is before ${now.toISOString()}: the router answers 401 expired_api_key.`,
        evidence: { ...ev, expires_at: expiresAt },
        fix: CREATE_KEY_FIX,
      }),
    );
  } else {
    out.push(pass('API_KEY_EXPIRED', { title: expiresAt ? `The key is valid until ${expiresAt}` : 'The key has no expiry', evidence: { expires_at: expiresAt } }));
  }
  return out;
}

/** The key is not looked up (the ALB never forwards it). */
export function lookupSkipped(why: string): Finding {
  return skip('API_KEY_UNKNOWN', { title: 'DynamoDB lookup skipped', detail: why });
}

/** A Bearer header on the same request: rule 5 (jwt-validation) matches before rule 10. */
export function checkBearerShadow(withBearer: boolean | undefined): Finding[] {
  if (withBearer === undefined) return [];
  if (!withBearer) return [pass('API_KEY_SHADOWED_BY_BEARER', { title: 'No Bearer header: rule 10 (the X-API-Key header) applies' })];
  return [
    warn('API_KEY_SHADOWED_BY_BEARER', {
      title: 'A Bearer header on the same request wins; the API key is ignored',
      detail: 'ALB rule 5 (an Authorization header matching Bearer*, with jwt-validation) matches before rule 10 (the X-API-Key header), and the router skips the key when a Bearer header is present. An expired or invalid JWT gives 401 even with a valid key.',
      evidence: { rule: 5, ignored_rule: 10 },
      fix: 'Send only X-API-Key (drop the Authorization header), or check the token with check_token.',
    }),
  ];
}

/** The table itself is missing (the stack or the env name is wrong). */
export function tableMissing(table: string, tableSource: string): Finding {
  return error('AWS_CALL_FAILED', {
    title: `DynamoDB table ${table} does not exist`,
    detail: `dynamodb:GetItem found no table ${table} (name from ${tableSource}). The router would fail the lookup and answer 500 internal_error.`,
    evidence: { action: 'dynamodb:GetItem', table, table_source: tableSource },
    fix: 'Check the env name (env input or ENVIRONMENT), or redeploy the API stack: ./scripts/deploy.sh api',
  });
}
