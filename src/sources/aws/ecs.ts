/** ECS: a task definition's container log configuration (where the router really logs). */
import type { DescribeTaskDefinitionCommandOutput } from '@aws-sdk/client-ecs';
import { loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-ecs');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-ecs');

export interface ContainerLogFacts {
  container: string;
  log_driver?: string | undefined;
  log_group?: string | undefined;
  log_region?: string | undefined;
  stream_prefix?: string | undefined;
}

/** Each container's log configuration in a task definition (family:revision or ARN). */
export async function taskDefinitionLogs(aws: AwsSession, taskDefinition: string): Promise<{ family?: string | undefined; revision?: number | undefined; containers: ContainerLogFacts[] }> {
  const { ECSClient, DescribeTaskDefinitionCommand } = sdk();
  const r = await aws.send<DescribeTaskDefinitionCommandOutput>('ecs:DescribeTaskDefinition', aws.client('ecs', ECSClient), new DescribeTaskDefinitionCommand({ taskDefinition }));
  const td = r.taskDefinition;
  const containers = (td?.containerDefinitions ?? []).map((c) => ({
    container: c.name ?? '?',
    log_driver: c.logConfiguration?.logDriver,
    log_group: c.logConfiguration?.options?.['awslogs-group'],
    log_region: c.logConfiguration?.options?.['awslogs-region'],
    stream_prefix: c.logConfiguration?.options?.['awslogs-stream-prefix'],
  }));
  return { family: td?.family, revision: td?.revision, containers };
}
