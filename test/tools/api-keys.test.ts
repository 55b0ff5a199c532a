/**
 * check_api_key against a real moto server (DynamoDB + SSM). AccessDenied and throttling
 * cannot be produced by moto: those two cases use aws-sdk-client-mock, said at each test.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { codes, run, runOk } from '../helpers/ctx.js';
import { seedApiKeys, type ApiKeyWorld } from '../helpers/opencode-world-data.js';
import { NOW_DATE } from '../helpers/tokens.js';

const HAS_MOTO = need('moto_server');

const dir = mkdtempSync(join(tmpdir(), 'api-key-'));
let n = 0;
function keyFile(value: string): string {
  const p = join(dir, `key-${n++}`);
  writeFileSync(p, value + '\n');
  return p;
}

function expectNoLeak(r: { output: Record<string, unknown>; text: string }, secret: string) {
  expect(JSON.stringify(r.output)).not.toContain(secret);
  expect(r.text).not.toContain(secret);
  expect(JSON.stringify(r.output)).not.toContain(secret.slice(10)); // not even the part after the public prefix
}

describe.skipIf(!HAS_MOTO)('check_api_key against moto', () => {
  let moto: Moto;
  let w: ApiKeyWorld;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = (await useMoto())!;
    Object.assign(process.env, motoEnv(moto.endpoint));
    w = await seedApiKeys(moto.endpoint, { env: 'test', now: NOW_DATE, table: 'OpenCodeApiStack-test-ApiKeysTable9F4A1B2C-1X2Y3Z' });
  });
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  it('passes an active key, shows its owner and key_prefix, and never the key (canary)', async () => {
    const r = await runOk('check_api_key', { api_key_file: keyFile(w.active), env: 'test' });
    expect(r.verdict).toBe('pass');
    expect(codes(r.output, 'pass')).toEqual(expect.arrayContaining(['API_KEY_BAD_PREFIX', 'API_KEY_MALFORMED', 'API_KEY_UNKNOWN', 'API_KEY_REVOKED', 'API_KEY_EXPIRED']));
    expect(r.output.table).toEqual({ name: w.table, source: 'ssm:/opencode/test/dynamodb/api-keys-table-name' });
    const item = r.output.item as Record<string, string>;
    expect(item.user_sub).toBe('a1b2c3d4-0000-4000-8000-00000000cafe');
    expect(item.user_email).toBe('dev@example.com');
    expect(item.key_prefix).toBe(w.active.slice(0, 10));
    expect(item.last_used_at).toBeDefined();
    expect(r.output.key_prefix).toBe(w.active.slice(0, 10));
    expect(r.output.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expectNoLeak(r, w.active);
  });

  it('reads the key from api_key_env, and refuses an inline api_key without echoing it', async () => {
    const r = await runOk('check_api_key', { api_key_env: 'OC_TEST_KEY', env: 'test' }, { env: { ...process.env, OC_TEST_KEY: w.active } });
    expect(r.output.key_source).toBe('env:OC_TEST_KEY');
    expect(r.verdict).toBe('pass');
    const bad = await run('check_api_key', { api_key: w.active, env: 'test' });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).not.toContain(w.active);
  });

  it('reports API_KEY_REVOKED for a revoked key (revoked a day ago: not in any cache)', async () => {
    const r = await runOk('check_api_key', { api_key_file: keyFile(w.revoked), env: 'test' });
    expect(codes(r.output)).toEqual(['API_KEY_REVOKED']);
    const f = (r.output.findings as Array<{ code: string; evidence: Record<string, unknown> }>).find((x) => x.code === 'API_KEY_REVOKED')!;
    expect(f.evidence.possibly_cached).toBe(false);
    expectNoLeak(r, w.revoked);
  });

  it('reports API_KEY_REVOKED with the 300 s cache window for a key revoked 60 s ago', async () => {
    const r = await runOk('check_api_key', { api_key_file: keyFile(w.justRevoked), env: 'test' });
    const f = (r.output.findings as Array<{ code: string; detail: string; evidence: Record<string, unknown> }>).find((x) => x.code === 'API_KEY_REVOKED')!;
    expect(f.evidence.possibly_cached).toBe(true);
    expect(f.detail).toContain('revoked 60 s ago');
  });

  it('reports API_KEY_EXPIRED when expires_at is past', async () => {
    const r = await runOk('check_api_key', { api_key_file: keyFile(w.expired), env: 'test' });
    expect(codes(r.output)).toEqual(['API_KEY_EXPIRED']);
    expect(r.verdict).toBe('fail');
  });

  it('reports API_KEY_UNKNOWN for a well-formed key with no item', async () => {
    const r = await runOk('check_api_key', { api_key_file: keyFile(w.unknown), env: 'test' });
    expect(codes(r.output)).toEqual(['API_KEY_UNKNOWN']);
    expect(r.text).toContain('invalid_api_key');
    expectNoLeak(r, w.unknown);
  });

  it('reports API_KEY_BAD_PREFIX (and skips the lookup) for a key without oc_', async () => {
    const raw = w.active.slice(3);
    const r = await runOk('check_api_key', { api_key_file: keyFile(raw), env: 'test' });
    expect(codes(r.output)).toEqual(['API_KEY_BAD_PREFIX']);
    expect(codes(r.output, 'skip')).toEqual(['API_KEY_UNKNOWN']);
    expect(r.output.key_prefix).toBeUndefined();
    expect(r.text).toContain('403');
    expect(JSON.stringify(r.output)).not.toContain(raw);
  });

  it('reports API_KEY_MALFORMED and API_KEY_UNKNOWN for a truncated oc_ key', async () => {
    const r = await runOk('check_api_key', { api_key_file: keyFile(w.active.slice(0, 30)), env: 'test' });
    expect(codes(r.output).sort()).toEqual(['API_KEY_MALFORMED', 'API_KEY_UNKNOWN']);
  });

  it('reports API_KEY_SHADOWED_BY_BEARER when the request also sends a Bearer header', async () => {
    const r = await runOk('check_api_key', { api_key_file: keyFile(w.active), env: 'test', with_bearer: true });
    expect(codes(r.output, 'warn')).toEqual(['API_KEY_SHADOWED_BY_BEARER']);
    expect(r.output.summary).toMatch(/Bearer/);
  });

  it('falls back to the preset table name (SSM_PARAMETER_MISSING) when SSM lacks the table parameter', async () => {
    const w2 = await seedApiKeys(moto.endpoint, { env: 'nossm', now: NOW_DATE, ssm: false });
    const r = await runOk('check_api_key', { api_key_file: keyFile(w2.active), env: 'nossm' });
    expect(codes(r.output, 'warn')).toEqual(['SSM_PARAMETER_MISSING']);
    expect((r.output.table as { name: string }).name).toBe('opencode-api-keys-nossm');
    expect(codes(r.output)).toEqual([]);
  });

  it('reports AWS_CALL_FAILED naming the table when the table does not exist', async () => {
    const r = await runOk('check_api_key', { api_key_file: keyFile(w.active), env: 'gone' });
    expect(codes(r.output, 'error')).toEqual(['AWS_CALL_FAILED']);
    expect(r.text).toContain('opencode-api-keys-gone');
    expect(r.verdict).toBe('error');
  });

  describe('errors moto cannot produce (aws-sdk-client-mock)', () => {
    it('reports CHECK_PERMISSION_DENIED naming dynamodb:GetItem on AccessDenied', async () => {
      // moto does not enforce IAM, so the denial is mocked.
      const ddb = mockClient(DynamoDBClient);
      ddb.on(GetItemCommand).rejects(Object.assign(new Error('User is not authorized to perform: dynamodb:GetItem'), { name: 'AccessDeniedException' }));
      const r = await runOk('check_api_key', { api_key_file: keyFile(w.active), env: 'test' }).finally(() => ddb.restore());
      expect(codes(r.output, 'error')).toEqual(['CHECK_PERMISSION_DENIED']);
      expect(r.text).toContain('dynamodb:GetItem');
    });

    it('reports AWS_THROTTLED for SSM and goes on with the preset table name', async () => {
      // moto never throttles, so the throttle is mocked; DynamoDB still answers from moto.
      const ssm = mockClient(SSMClient);
      ssm.on(GetParametersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
      const w3 = await seedApiKeys(moto.endpoint, { env: 'throttle', now: NOW_DATE, ssm: false });
      const r = await runOk('check_api_key', { api_key_file: keyFile(w3.expired), env: 'throttle' }).finally(() => ssm.restore());
      expect(codes(r.output, 'error')).toEqual(['AWS_THROTTLED']);
      expect(codes(r.output)).toEqual(['API_KEY_EXPIRED']);
    });
  });
});
