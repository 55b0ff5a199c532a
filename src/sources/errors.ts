/**
 * Errors that cross the sources → tools boundary.
 *
 * `UsageError`: the caller's input is wrong (exit 2 in the CLI, an `isError` result in MCP).
 * `SourceError`: a fact could not be gathered; `code` classifies why, `cause` keeps the original.
 * Both carry a message that names the problem and the fix, and never a secret.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** What to do instead, e.g. "pass token_file or token_env". */
    readonly fix?: string,
  ) {
    super(message);
  }
}

export const SOURCE_ERROR_CODES = [
  'SOURCE_BLOCKED', // the URL is refused by policy (scheme, address, jku/x5u)
  'SOURCE_DNS',
  'SOURCE_REFUSED',
  'SOURCE_RESET',
  'SOURCE_TIMEOUT',
  'SOURCE_TLS_UNTRUSTED',
  'SOURCE_TLS_EXPIRED',
  'SOURCE_TLS_NAME',
  'SOURCE_TLS_OTHER',
  'SOURCE_HTTP_STATUS',
  'SOURCE_REDIRECT',
  'SOURCE_NOT_JSON',
  'SOURCE_TOO_LARGE',
  'SOURCE_NETWORK',
  'SOURCE_PROXY', // the HTTPS_PROXY in between failed (refused CONNECT, unreachable, hung, unusable setting)
  'SOURCE_FILE',
  'SOURCE_KUBECTL_MISSING',
  'SOURCE_KUBECTL_FAILED',
  'SOURCE_AWS',
] as const;
export type SourceErrorCode = (typeof SOURCE_ERROR_CODES)[number];

export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    /** Facts safe to show: status code, host, elapsed ms, AWS error name… */
    readonly facts: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
