import { describe, expect, it } from 'vitest';
import { describeDifference, editDistance } from '../../../src/checks/token/difference.js';

describe('describeDifference', () => {
  it('returns undefined for identical strings', () => {
    expect(describeDifference('https://a.example.com', 'https://a.example.com')).toBeUndefined();
  });

  it.each([
    ['https://issuer.example.com/', 'https://issuer.example.com', 'trailing_slash', /actual ends with "\/", expected does not/],
    ['https://issuer.example.com', 'https://issuer.example.com/', 'trailing_slash', /expected ends with "\/", actual does not/],
    ['http://issuer.example.com', 'https://issuer.example.com', 'scheme', /actual uses "http:\/\/", expected "https:\/\/"/],
    ['issuer.example.com/id/ABC', 'https://issuer.example.com/id/ABC', 'scheme', /actual has no scheme, expected starts with "https:\/\/"/],
    ['https://Issuer.Example.com', 'https://issuer.example.com', 'case', /letter case differs/],
    ['HTTPS://issuer.example.com', 'https://issuer.example.com', 'case', /scheme/],
    [' https://issuer.example.com\n', 'https://issuer.example.com', 'whitespace', /actual has surrounding whitespace/],
    ['https://oidc.example.com', 'https://oidc.example.com/cluster-a', 'path', /same host, path differs: actual has no path, expected "\/cluster-a"/],
    ['https://oidc.example.com/a', 'https://oidc.example.com/b', 'path', /"\/a", expected "\/b"/],
    ['https://oidc.exampel.com', 'https://oidc.example.com', 'host', /host differs: .*character edits? apart/],
    ['https://one.test', 'https://another.org', 'host', /host differs/],
    ['sts.amazon.com', 'sts.amazonaws.com', 'near_miss', /3 character edits apart: expected has "aws" that actual lacks after "sts.amazon"/],
    ['us-east-1_AbC123', 'us-east-1_AbC124', 'near_miss', /1 character edit apart: actual has "3" where expected has "4" after "us-east-1_AbC12"/],
    ['opencode-cli-dev', 'opencode-cli-prod', 'different', /"opencode-cli-dev" vs "opencode-cli-prod"/],
    ['abc123', 'zzz999xyz', 'different', /the values are different/],
  ])('%j vs %j → %s', (actual, expected, kind, text) => {
    const d = describeDifference(actual, expected);
    expect(d?.kind).toBe(kind);
    expect(d?.text).toMatch(text);
  });

  it('lists every difference when several apply, the telling one as kind', () => {
    const d = describeDifference('http://issuer.example.com/', 'https://issuer.example.com');
    expect(d?.kinds).toEqual(['scheme', 'trailing_slash']);
    expect(d?.kind).toBe('scheme');
    const e = describeDifference(' http://other.example.org', 'https://issuer.example.com');
    expect(e?.kinds).toEqual(['whitespace', 'scheme', 'host']);
    expect(e?.kind).toBe('host');
  });

  it('does not call short or long unrelated values near misses', () => {
    expect(describeDifference('id', 'ab')?.kind).toBe('different');
    expect(describeDifference('x'.repeat(600), 'y'.repeat(600))?.kind).toBe('different');
  });

  it('computes Levenshtein distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
