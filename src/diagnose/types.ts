/** The diagnosis' shapes: what goes in, the sections of the summary box, what comes out. */
import type { Finding } from '../checks/finding.js';
import type { Consumer } from '../checks/jwks/consumer.js';
import type { TokenFacts } from '../checks/token/inspect.js';
import type { AudFormat } from '../checks/token/claims.js';
import type { TokenKind } from '../checks/token/kind.js';
import type { Ranked } from './rank.js';

export const PRESETS = ['generic', 'opencode', 'web-identity', 'sts', 'github-actions'] as const;
export type Preset = (typeof PRESETS)[number];

export interface Expectations {
  iss?: string | undefined;
  aud?: string | undefined;
  /** The verifier's other accepted audiences (an ALB aud claim lists up to 10 values): any one passes. */
  audAlso?: readonly string[] | undefined;
  /** How the ALB reads the token's aud (its claim's Format); default single-string. */
  audFormat?: AudFormat | undefined;
  sub?: string | undefined;
  kind?: TokenKind | undefined;
  /** Where the expectations came from, for the summary ("the live ALB rule 5", "the inputs"). */
  from: string;
}

export interface DiagnoseInput {
  /** The raw token (already registered as a secret), and where it came from. */
  token?: { raw: string; source: string } | undefined;
  /** The raw API key (already registered as a secret), and where it came from. */
  apiKey?: { value: string; source: string } | undefined;
  preset: Preset;
  expected: Omit<Expectations, 'from'>;
  consumer?: Consumer | undefined;
  /** Issuer whose discovery document to fetch (default: expected iss, else the token's iss). */
  issuer?: string | undefined;
  /** A JWKS URL to use instead of discovery's jwks_uri. */
  jwksUrl?: string | undefined;
  opencode?: { env?: string | undefined; method?: string | undefined; path?: string | undefined; listenerArn?: string | undefined; logWindowMinutes?: number | undefined } | undefined;
  webIdentity?: {
    roleArn?: string | undefined;
    /** NS:NAME → the expected sub system:serviceaccount:NS:NAME. */
    serviceAccount?: string | undefined;
    kubeContext?: string | undefined;
    kubeconfig?: string | undefined;
    /** The bridge's namespace: its Deployment and logs are read there. */
    bridgeNamespace?: string | undefined;
    /** An EKS cluster name: the pod's IRSA / Pod Identity set-up is checked (with serviceAccount). */
    eksCluster?: string | undefined;
  } | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  skewSeconds: number;
  /** Judge the token only: no discovery, JWKS, AWS or cluster. */
  offline?: boolean | undefined;
  /** The whole diagnosis' deadline. */
  deadlineMs: number;
}

export interface Section {
  label: string;
  /** One line of facts for the summary ("valid for another 41 minutes"). */
  line?: string | undefined;
  findings: Finding[];
}

export interface TokenSummary {
  fingerprint: string;
  form: string;
  alg?: string | undefined;
  kid?: string | undefined;
  kind: string;
  iss?: string | undefined;
  status_text?: string | undefined;
}

export interface DiagnosisResult {
  /** What was diagnosed (the caller's input, as given). */
  input: DiagnoseInput;
  preset: Exclude<Preset, 'sts'>;
  token?: TokenSummary | undefined;
  tokenFacts?: TokenFacts | undefined;
  expected: Expectations;
  consumer: Consumer;
  sections: Section[];
  findings: Finding[];
  ranked: Ranked;
  /** Sections still running when the deadline passed. */
  timedOut: string[];
}
