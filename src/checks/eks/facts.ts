/**
 * The plain shapes the EKS checks take (from `kubectl get … -o json` and the EKS API, via
 * src/sources/kube-eks.ts and src/sources/aws/eks.ts), and the names the EKS pod identity
 * webhook uses. Names confirmed in aws/amazon-eks-pod-identity-webhook (main.go flags,
 * pkg/annotations.go, pkg/constants.go, pkg/handler/handler.go).
 */

/** The webhook's defaults (main.go `--annotation-prefix`, `--token-audience`, handler.go `volName`, `MountPath`, `tokenName`). */
export const IRSA = {
  annotationPrefix: 'eks.amazonaws.com',
  roleArnAnnotation: 'eks.amazonaws.com/role-arn',
  audienceAnnotation: 'eks.amazonaws.com/audience',
  tokenExpirationAnnotation: 'eks.amazonaws.com/token-expiration',
  skipContainersAnnotation: 'eks.amazonaws.com/skip-containers',
  defaultAudience: 'sts.amazonaws.com',
  volumeName: 'aws-iam-token',
  mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
  tokenFile: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  /** pkg/constants.go: MinTokenExpiration 600 (kube-apiserver minimum), MaxTokenExpiration and default 86400. */
  minExpiration: 600,
  maxExpiration: 86400,
  defaultExpiration: 86400,
} as const;

/** Pod Identity (the webhook's "container credentials" mode; main.go `--container-credentials-*` defaults). */
export const POD_IDENTITY = {
  agentAddress: '169.254.170.23',
  fullUri: 'http://169.254.170.23/v1/credentials',
  audience: 'pods.eks.amazonaws.com',
  volumeName: 'eks-pod-identity-token',
  mountPath: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount',
  principal: 'pods.eks.amazonaws.com',
  agentPodPrefix: 'eks-pod-identity-agent',
} as const;

/** Env names the webhook writes (handler.go addEnvToContainer; constants.go). */
export const ENV = {
  roleArn: 'AWS_ROLE_ARN',
  tokenFile: 'AWS_WEB_IDENTITY_TOKEN_FILE',
  fullUri: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  authTokenFile: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  accessKeyId: 'AWS_ACCESS_KEY_ID',
} as const;

export interface ServiceAccountFacts {
  name: string;
  namespace: string;
  annotations: Record<string, string>;
}

export interface EksEnvFact {
  name: string;
  /** Kept only for the non-secret AWS_* names above; never for AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. */
  value?: string | undefined;
  /** 'value' | 'secretKeyRef' | 'configMapKeyRef' | 'fieldRef' | 'other'. */
  from: string;
}

export interface EksContainerFacts {
  name: string;
  init: boolean;
  env: EksEnvFact[];
  /** `envFrom` sources (`secret:<name>`, `configMap:<name>`): their keys are unknown here. */
  envFrom: string[];
  volumeMounts: string[];
  runAsUser?: number | undefined;
  runAsNonRoot?: boolean | undefined;
}

export interface ProjectedTokenFact {
  volume: string;
  audience?: string | undefined;
  expirationSeconds?: number | undefined;
  path: string;
}

export interface EksPodFacts {
  name: string;
  namespace: string;
  serviceAccount: string;
  createdAt?: string | undefined;
  nodeName?: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  nodeSelector: Record<string, string>;
  projectedTokens: ProjectedTokenFact[];
  /** Pod-level securityContext. */
  fsGroup?: number | undefined;
  runAsUser?: number | undefined;
  runAsNonRoot?: boolean | undefined;
  containers: EksContainerFacts[];
}

export interface WebhookFacts {
  configuration: string;
  name: string;
  failurePolicy?: string | undefined;
}

export interface AssociationFacts {
  associationId: string;
  roleArn?: string | undefined;
  targetRoleArn?: string | undefined;
  disableSessionTags?: boolean | undefined;
}

export const envOf = (c: EksContainerFacts, name: string) => c.env.find((e) => e.name === name);
