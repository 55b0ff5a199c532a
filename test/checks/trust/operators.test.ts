import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateOperator, globMatch, literalWildcards, parseOperator } from '../../../src/checks/trust/operators.js';

// Hand-computed answers, from the IAM condition-operator rules.
const TABLE: Array<[string, string[], string[] | undefined, boolean | 'unknown']> = [
  ['StringEquals', ['a'], ['a'], true],
  ['StringEquals', ['a'], ['A'], false],
  ['StringEquals', ['a', 'b'], ['b'], true], // values OR
  ['StringEquals', ['system:serviceaccount:*:sa'], ['system:serviceaccount:ns:sa'], false], // literal *
  ['StringEquals', ['a'], undefined, false], // absent key
  ['StringEqualsIfExists', ['a'], undefined, true],
  ['StringEqualsIfExists', ['a'], ['b'], false],
  ['StringNotEquals', ['a'], ['a'], false],
  ['StringNotEquals', ['a', 'b'], ['c'], true], // NOR
  ['StringNotEquals', ['a', 'b'], ['b'], false],
  ['StringNotEquals', ['a'], undefined, true], // negated + absent → true
  ['StringEqualsIgnoreCase', ['STS.amazonaws.com'], ['sts.amazonaws.com'], true],
  ['StringNotEqualsIgnoreCase', ['STS.amazonaws.com'], ['sts.amazonaws.com'], false],
  ['StringLike', ['system:serviceaccount:*:sa'], ['system:serviceaccount:ns:sa'], true],
  ['StringLike', ['system:serviceaccount:ns:sa-?'], ['system:serviceaccount:ns:sa-1'], true],
  ['StringLike', ['system:serviceaccount:ns:sa-?'], ['system:serviceaccount:ns:sa-10'], false],
  ['StringLike', ['a.b'], ['axb'], false], // '.' is literal
  ['StringLike', ['*'], ['anything'], true],
  ['StringNotLike', ['system:serviceaccount:kube-system:*'], ['system:serviceaccount:ns:sa'], true],
  ['StringNotLike', ['system:serviceaccount:ns:*'], ['system:serviceaccount:ns:sa'], false],
  ['StringNotLike', ['x'], undefined, true],
  ['ForAnyValue:StringEquals', ['sts.amazonaws.com'], ['other', 'sts.amazonaws.com'], true],
  ['ForAnyValue:StringEquals', ['sts.amazonaws.com'], ['other'], false],
  ['ForAnyValue:StringEquals', ['sts.amazonaws.com'], undefined, false],
  ['ForAllValues:StringEquals', ['sts.amazonaws.com'], ['other', 'sts.amazonaws.com'], false],
  ['ForAllValues:StringEquals', ['sts.amazonaws.com', 'other'], ['other', 'sts.amazonaws.com'], true],
  ['ForAllValues:StringEquals', ['sts.amazonaws.com'], undefined, true], // vacuous
  ['ForAnyValue:StringNotEquals', ['a'], ['a', 'b'], true],
  ['ForAllValues:StringNotEquals', ['a'], ['a', 'b'], false],
  ['ForAnyValue:StringLikeIfExists', ['a*'], undefined, true],
  ['StringEquals', ['sts.amazonaws.com'], ['x', 'sts.amazonaws.com'], true], // multi-valued key, single-valued operator: any
  ['Null', ['true'], undefined, true],
  ['Null', ['true'], ['v'], false],
  ['Null', ['false'], ['v'], true],
  ['Null', ['false'], undefined, false],
  ['DateGreaterThan', ['2020-01-01T00:00:00Z'], ['x'], 'unknown'],
  ['DateGreaterThan', ['2020-01-01T00:00:00Z'], undefined, false],
  ['ArnNotEquals', ['arn:x'], undefined, true],
];

describe('evaluateOperator', () => {
  it.each(TABLE)('%s %j vs %j → %s', (op, policy, request, expected) => {
    expect(evaluateOperator(op, policy, request)).toBe(expected);
  });

  it('parses set qualifiers, IfExists and operator case', () => {
    expect(parseOperator('ForAllValues:StringLikeIfExists')).toMatchObject({ qualifier: 'ForAllValues', base: 'StringLike', ifExists: true, negated: false, known: true });
    expect(parseOperator('stringnotequals')).toMatchObject({ base: 'StringNotEquals', negated: true, known: true });
  });

  it('flags a literal * under StringEquals only (TRUST_WILDCARD_IN_STRINGEQUALS input)', () => {
    expect(literalWildcards('StringEquals', ['a*', 'b'])).toEqual(['a*']);
    expect(literalWildcards('ForAnyValue:StringEqualsIgnoreCase', ['*'])).toEqual(['*']);
    expect(literalWildcards('StringLike', ['a*'])).toEqual([]);
  });
});

const str = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ':', '.', '/', '-'), maxLength: 8 });
const values = fc.array(str, { minLength: 1, maxLength: 3 });

describe('operator properties', () => {
  it('StringLike with a pattern without wildcards ≡ StringEquals', () => {
    fc.assert(fc.property(fc.array(str, { minLength: 1, maxLength: 3 }), values, (policy, request) => {
      expect(evaluateOperator('StringLike', policy, request)).toBe(evaluateOperator('StringEquals', policy, request));
    }));
  });

  it('StringNotEquals ≡ ¬StringEquals for a single request value', () => {
    fc.assert(fc.property(values, str, (policy, v) => {
      expect(evaluateOperator('StringNotEquals', policy, [v])).toBe(!evaluateOperator('StringEquals', policy, [v]));
      expect(evaluateOperator('StringNotLike', policy, [v])).toBe(!evaluateOperator('StringLike', policy, [v]));
    }));
  });

  it('IfExists differs from the plain operator only when the key is absent', () => {
    fc.assert(fc.property(values, values, (policy, request) => {
      expect(evaluateOperator('StringEqualsIfExists', policy, request)).toBe(evaluateOperator('StringEquals', policy, request));
    }));
  });

  it('a glob "*" matches every string and "?" exactly one character', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 20 }), (s) => {
      expect(globMatch('*', s)).toBe(true);
      expect(globMatch('?', s)).toBe(s.length === 1);
    }));
  });
});
