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
  // No space before the expiry: STS's own text. Both are epoch seconds.
  expired: (now: number, exp: number) => `ExpiredTokenException: Token expired: current date/time ${now} must be before the expiration date/time${exp}`,
  accessDenied: 'AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity',
  // Exact text unverified; the code is documented (a transient failure to reach the IdP).
  idpCommunication: 'IDPCommunicationError: the identity provider could not be reached (exact message text unverified)',
} as const;
