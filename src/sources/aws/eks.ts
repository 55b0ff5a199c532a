/**
 * EKS facts: a cluster's OIDC issuer and platform (eks:DescribeCluster) and the Pod Identity
 * associations of one service account (eks:ListPodIdentityAssociations, then
 * eks:DescribePodIdentityAssociation for the role). Read-only; decides nothing.
 */
import type { DescribeClusterCommandOutput, DescribePodIdentityAssociationCommandOutput, ListPodIdentityAssociationsCommandOutput } from '@aws-sdk/client-eks';
import { loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-eks');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-eks');
const client = (aws: AwsSession) => aws.client('eks', sdk().EKSClient);

const MAX_PAGES = 20;

export interface EksClusterFacts {
  name: string;
  arn?: string | undefined;
  /** `https://oidc.eks.<region>.amazonaws.com/id/<ID>`: the iss of the cluster's service-account tokens. */
  oidcIssuer?: string | undefined;
  status?: string | undefined;
  version?: string | undefined;
  createdAt?: string | undefined;
}

export async function describeCluster(aws: AwsSession, name: string): Promise<EksClusterFacts> {
  const out = await aws.send<DescribeClusterCommandOutput>('eks:DescribeCluster', client(aws), new (sdk().DescribeClusterCommand)({ name }));
  const c = out.cluster;
  return { name: c?.name ?? name, arn: c?.arn, oidcIssuer: c?.identity?.oidc?.issuer, status: c?.status, version: c?.version, createdAt: c?.createdAt?.toISOString() };
}

export interface PodIdentityAssociationFacts {
  associationId: string;
  associationArn?: string | undefined;
  namespace: string;
  serviceAccount: string;
  roleArn?: string | undefined;
  /** Set when the association uses a role in another account (role chaining). */
  targetRoleArn?: string | undefined;
  disableSessionTags?: boolean | undefined;
}

/** The associations for one namespace / service account (paged), each described for its role. */
export async function listPodIdentityAssociations(aws: AwsSession, clusterName: string, q: { namespace: string; serviceAccount: string }): Promise<PodIdentityAssociationFacts[]> {
  const { ListPodIdentityAssociationsCommand, DescribePodIdentityAssociationCommand } = sdk();
  const summaries: PodIdentityAssociationFacts[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await aws.send<ListPodIdentityAssociationsCommandOutput>('eks:ListPodIdentityAssociations', client(aws),
      new ListPodIdentityAssociationsCommand({ clusterName, namespace: q.namespace, serviceAccount: q.serviceAccount, maxResults: 100, nextToken: token }));
    pages++;
    for (const a of out.associations ?? []) {
      if (!a.associationId) continue;
      summaries.push({ associationId: a.associationId, associationArn: a.associationArn, namespace: a.namespace ?? q.namespace, serviceAccount: a.serviceAccount ?? q.serviceAccount });
    }
    token = out.nextToken;
  } while (token && pages < MAX_PAGES);
  return Promise.all(summaries.map(async (s) => {
    const d = await aws.send<DescribePodIdentityAssociationCommandOutput>('eks:DescribePodIdentityAssociation', client(aws),
      new DescribePodIdentityAssociationCommand({ clusterName, associationId: s.associationId }));
    const a = d.association;
    return { ...s, roleArn: a?.roleArn, targetRoleArn: a?.targetRoleArn, disableSessionTags: a?.disableSessionTags };
  }));
}
