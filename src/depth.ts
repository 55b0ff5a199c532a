/**
 * How deeply a parsed JSON value nests, measured without recursion (a 50,000-deep claim or
 * log line must give a clear error, not "Maximum call stack size exceeded"). The bottom layer:
 * anything may import it.
 */

/** The documents jwt-triage reads (claims, JWKS, discovery, policies, log lines) never nest deeper than this. */
export const MAX_NESTING = 64;

/** The nesting depth of `value` (a scalar is 0), counting at most to `limit + 1`. */
export function nestingDepth(value: unknown, limit = MAX_NESTING): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth]);
    }
  }
  return max;
}

/** Whether `value` nests deeper than `limit`. */
export const tooDeep = (value: unknown, limit = MAX_NESTING): boolean => nestingDepth(value, limit) > limit;
