import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkTokenTime, describeTokenTime, humanDuration } from '../../../src/checks/token/time.js';
import { mintToken, NOW, NOW_DATE } from '../../helpers/tokens.js';

const claimsOf = async (opts: Parameters<typeof mintToken>[0]) => decodeJwt(await mintToken(opts)) as Record<string, unknown>;
const byCode = (fs: ReturnType<typeof checkTokenTime>, code: string) => fs.find((f) => f.code === code);

describe('checkTokenTime', () => {
  it('reports TOKEN_EXPIRED when exp is past the skew, in minutes', async () => {
    const f = byCode(checkTokenTime(await claimsOf({ iat: -3600 - 23 * 60, exp: -23 * 60 }), NOW_DATE, 60), 'TOKEN_EXPIRED');
    expect(f?.status).toBe('fail');
    expect(f?.title).toBe('The token expired 23 minutes ago');
    expect(f?.evidence.seconds_left).toBe(-23 * 60);
  });

  it('warns TOKEN_EXPIRED when exp passed within the skew allowance', async () => {
    const f = byCode(checkTokenTime(await claimsOf({ exp: -30 }), NOW_DATE, 60), 'TOKEN_EXPIRED');
    expect(f?.status).toBe('warn');
    const strict = byCode(checkTokenTime(await claimsOf({ exp: -30 }), NOW_DATE, 0), 'TOKEN_EXPIRED');
    expect(strict?.status).toBe('fail');
  });

  it('passes TOKEN_EXPIRED with the time left', async () => {
    const f = byCode(checkTokenTime(await claimsOf({ exp: 41 * 60 }), NOW_DATE, 60), 'TOKEN_EXPIRED');
    expect(f?.status).toBe('pass');
    expect(f?.title).toBe('The token is valid for another 41 minutes');
  });

  it('reports TOKEN_NOT_YET_VALID when nbf is beyond the skew, warns within it', async () => {
    expect(byCode(checkTokenTime(await claimsOf({ nbf: 300 }), NOW_DATE, 60), 'TOKEN_NOT_YET_VALID')?.status).toBe('fail');
    expect(byCode(checkTokenTime(await claimsOf({ nbf: 30 }), NOW_DATE, 60), 'TOKEN_NOT_YET_VALID')?.status).toBe('warn');
    expect(byCode(checkTokenTime(await claimsOf({ nbf: -30 }), NOW_DATE, 60), 'TOKEN_NOT_YET_VALID')?.status).toBe('pass');
  });

  it('reports TOKEN_ISSUED_IN_FUTURE when iat is beyond the skew', async () => {
    const f = byCode(checkTokenTime(await claimsOf({ iat: 600, exp: 4200 }), NOW_DATE, 60), 'TOKEN_ISSUED_IN_FUTURE');
    expect(f?.status).toBe('fail');
    expect(f?.title).toMatch(/10 minutes in the future/);
    expect(byCode(checkTokenTime(await claimsOf({ iat: 30 }), NOW_DATE, 60), 'TOKEN_ISSUED_IN_FUTURE')?.status).toBe('pass');
  });

  it('reports TOKEN_NO_EXPIRY as fail when the consumer requires exp, warn otherwise', async () => {
    const claims = await claimsOf({ exp: null });
    expect(byCode(checkTokenTime(claims, NOW_DATE, 60), 'TOKEN_NO_EXPIRY')?.status).toBe('fail');
    expect(byCode(checkTokenTime(claims, NOW_DATE, 60, { requireExpiry: false }), 'TOKEN_NO_EXPIRY')?.status).toBe('warn');
    expect(byCode(checkTokenTime(claims, NOW_DATE, 60), 'TOKEN_EXPIRED')).toBeUndefined();
  });

  it('reports TOKEN_MALFORMED when a time claim is not a number', () => {
    const fs = checkTokenTime({ exp: '2026-01-01', iat: NOW }, NOW_DATE, 60);
    expect(fs).toHaveLength(1);
    expect(fs[0]?.code).toBe('TOKEN_MALFORMED');
    expect(fs[0]?.title).toMatch(/^exp is not a number/);
  });
});

describe('describeTokenTime', () => {
  it('gives ISO dates, the status in words and the total lifetime', async () => {
    const d = describeTokenTime(await claimsOf({ iat: -60 * 19, exp: 41 * 60, claims: { auth_time: NOW - 7200 } }), NOW_DATE);
    expect(d.status_text).toBe('valid for another 41 minutes');
    expect(d.lifetime).toBe('1 hour');
    expect(d.lifetime_seconds).toBe(3600);
    expect(d.times.exp).toBe(new Date((NOW + 41 * 60) * 1000).toISOString());
    expect(d.times.auth_time).toBe(new Date((NOW - 7200) * 1000).toISOString());
    expect(d.now_iso).toBe(NOW_DATE.toISOString());
  });

  it('says expired and never expires', async () => {
    expect(describeTokenTime(await claimsOf({ exp: -23 * 60 }), NOW_DATE).status_text).toBe('expired 23 minutes ago');
    expect(describeTokenTime(await claimsOf({ exp: null }), NOW_DATE).status_text).toBe('never expires (no exp)');
  });
});

describe('humanDuration', () => {
  it.each([
    [0, '0 seconds'],
    [1, '1 second'],
    [45, '45 seconds'],
    [1380, '23 minutes'],
    [3600, '1 hour'],
    [5400, '1 hour 30 minutes'],
    [3661, '1 hour 1 minute'],
    [90000, '1 day 1 hour'],
    [-120, '2 minutes'],
  ])('%d s → %s', (s, text) => expect(humanDuration(s)).toBe(text));
});
