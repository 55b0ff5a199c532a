/**
 * The error strings STS AssumeRoleWithWebIdentity returns, exactly as seen in the wild
 * (context.md). One place: the predictor produces them, the explainer recognizes them.
 */

export const STS_MESSAGES = {
  providerNotFound: (iss: string) => `InvalidIdentityToken: No OpenIDConnect provider found in your account for ${iss}`,
  incorrectAudience: 'InvalidIdentityToken: Incorrect token audience',
  missingAud: 'InvalidIdentityToken: Missing a required claim: aud',
  // Two spaces after the comma: STS's own text.
  verificationKey: "InvalidIdentityToken: Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  thumbprint: "InvalidIdentityToken: OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
  // Both are epoch seconds. Current STS text has a space before the expiry; older SDKs print
  // "date/time<exp>" with none — explain_sts_error reads both, and "Token too old".
  expired: (now: number, exp: number) => `ExpiredTokenException: Token expired: current date/time ${now} must be before the expiration date/time ${exp}`,
  // The AWS query-protocol validation text; the exact wording is not documented for this API.
  tokenLength: (length: number) => `ValidationError: 1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length ${length > 20000 ? 'less than or equal to 20000' : 'greater than or equal to 4'}`,
  accessDenied: 'AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity',
  // Exact text unverified; the code is documented (a transient failure to reach the IdP).
  idpCommunication: 'IDPCommunicationError: the identity provider could not be reached (exact message text unverified)',
} as const;
