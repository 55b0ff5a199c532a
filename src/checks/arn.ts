/**
 * The account an ARN names: `arn:partition:service:region:account-id:resource` (IAM user guide,
 * "IAM ARNs"; the region is empty for global services such as IAM).
 */
export const accountOfArn = (arn: string | undefined): string | undefined => (arn ? /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1] : undefined);
