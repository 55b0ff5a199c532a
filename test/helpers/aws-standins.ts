/**
 * Loopback stand-ins for the two AWS operations moto 5.2.1 does not implement, speaking the
 * services' real wire protocols so the tests stay on the real SDK path (reached through the
 * SDK's service-specific endpoint override, AWS_ENDPOINT_URL_EKS / AWS_ENDPOINT_URL_CLOUDTRAIL):
 *
 * - EKS (REST-JSON): GET /clusters/{name}/pod-identity-associations (namespace, serviceAccount,
 *   nextToken; pages of `pageSize`) and GET /clusters/{name}/pod-identity-associations/{id}.
 *   Every other request (DescribeCluster…) is forwarded to moto unchanged.
 * - CloudTrail (AWS JSON 1.1): POST / with X-Amz-Target
 *   com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents (or the short
 *   CloudTrail_20131101.LookupEvents the SDK v3 sends); filters by the
 *   EventName attribute and the window; pages of `pageSize` with a NextToken.
 *
 * Errors use each protocol's shapes (x-amzn-ErrorType / `__type`), so the SDK raises its
 * modelled exceptions. `hits` records what was asked; `fail` makes the next calls answer an error.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandinAssociation {
  cluster: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  associationId?: string;
  targetRoleArn?: string;
}

export interface StandinTrailEvent {
  eventName?: string;
  eventTime: Date;
  /** The CloudTrailEvent record (serialized to JSON as CloudTrail does). */
  record: Record<string, unknown>;
}

export interface AwsStandin {
  endpoint: string;
  associations: StandinAssociation[];
  events: StandinTrailEvent[];
  hits: string[];
  /** When set, every stand-in call answers this error (e.g. { status: 400, type: 'ThrottlingException' }). */
  fail?: { status: number; type: string; message?: string } | undefined;
  pageSize: number;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) => new Promise<Buffer>((resolve) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks)));
});

export async function startAwsStandin(opts: { motoEndpoint?: string } = {}): Promise<AwsStandin> {
  const state: AwsStandin = { endpoint: '', associations: [], events: [], hits: [], pageSize: 2, close: async () => undefined };
  const idOf = (a: StandinAssociation, i: number) => a.associationId ?? `a-${String(i).padStart(17, '0')}`;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const json = (status: number, obj: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(obj));

    // botocore's model names the target prefix com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101; the
    // SDK v3 (3.11xx) sends the service shape name alone (CloudTrail_20131101.LookupEvents). Both are accepted.
    if (req.method === 'POST' && /^(?:com\.amazonaws\.cloudtrail\.v20131101\.)?CloudTrail_20131101\./.test(target)) {
      const op = target.split('.').pop()!;
      state.hits.push(`cloudtrail:${op}`);
      if (state.fail) return json(state.fail.status, { __type: state.fail.type, message: state.fail.message ?? state.fail.type }, { 'content-type': 'application/x-amz-json-1.1' });
      if (op !== 'LookupEvents') return json(400, { __type: 'UnknownOperationException' });
      const q = JSON.parse(body.toString('utf8') || '{}') as { LookupAttributes?: Array<{ AttributeKey: string; AttributeValue: string }>; StartTime?: number; EndTime?: number; NextToken?: string };
      const name = q.LookupAttributes?.find((a) => a.AttributeKey === 'EventName')?.AttributeValue;
      const start = q.StartTime !== undefined ? q.StartTime * 1000 : 0;
      const end = q.EndTime !== undefined ? q.EndTime * 1000 : Number.MAX_SAFE_INTEGER;
      const all = state.events
        .map((e, i) => ({ ...e, id: `evt-${i}`, name: e.eventName ?? String(e.record.eventName ?? '') }))
        .filter((e) => (!name || e.name === name) && e.eventTime.getTime() >= start && e.eventTime.getTime() <= end)
        .sort((a, b) => b.eventTime.getTime() - a.eventTime.getTime());
      const from = q.NextToken ? Number(q.NextToken) : 0;
      const page = all.slice(from, from + state.pageSize);
      const next = from + state.pageSize < all.length ? String(from + state.pageSize) : undefined;
      return json(200, {
        Events: page.map((e) => ({ EventId: e.id, EventName: e.name, EventTime: e.eventTime.getTime() / 1000, EventSource: 'sts.amazonaws.com', CloudTrailEvent: JSON.stringify(e.record), Resources: [] })),
        ...(next ? { NextToken: next } : {}),
      }, { 'content-type': 'application/x-amz-json-1.1' });
    }

    const list = /^\/clusters\/([^/]+)\/pod-identity-associations$/.exec(url.pathname);
    const one = /^\/clusters\/([^/]+)\/pod-identity-associations\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && (list || one)) {
      state.hits.push(`eks:${list ? 'ListPodIdentityAssociations' : 'DescribePodIdentityAssociation'}`);
      if (state.fail) return json(state.fail.status, { message: state.fail.message ?? state.fail.type }, { 'x-amzn-errortype': state.fail.type });
      const cluster = decodeURIComponent((list ?? one)![1]!);
      const mine = state.associations.map((a, i) => ({ a, id: idOf(a, i) })).filter((x) => x.a.cluster === cluster);
      if (list) {
        const ns = url.searchParams.get('namespace');
        const sa = url.searchParams.get('serviceAccount');
        const hits = mine.filter((x) => (!ns || x.a.namespace === ns) && (!sa || x.a.serviceAccount === sa));
        const from = Number(url.searchParams.get('nextToken') ?? 0);
        const page = hits.slice(from, from + state.pageSize);
        const next = from + state.pageSize < hits.length ? String(from + state.pageSize) : undefined;
        return json(200, {
          associations: page.map((x) => ({ clusterName: cluster, namespace: x.a.namespace, serviceAccount: x.a.serviceAccount, associationArn: `arn:aws:eks:us-east-1:123456789012:podidentityassociation/${cluster}/${x.id}`, associationId: x.id, ownerArn: null })),
          ...(next ? { nextToken: next } : {}),
        });
      }
      const x = mine.find((m) => m.id === decodeURIComponent(one![2]!));
      if (!x) return json(404, { message: `Association ${one![2]} not found` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
      return json(200, { association: { clusterName: cluster, namespace: x.a.namespace, serviceAccount: x.a.serviceAccount, roleArn: x.a.roleArn, associationId: x.id, associationArn: `arn:aws:eks:us-east-1:123456789012:podidentityassociation/${cluster}/${x.id}`, ...(x.a.targetRoleArn ? { targetRoleArn: x.a.targetRoleArn } : {}), disableSessionTags: false, createdAt: 1767225600, modifiedAt: 1767225600, tags: {} } });
    }

    if (!opts.motoEndpoint) return json(404, { message: `no stand-in route for ${req.method} ${url.pathname}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
    // Everything else goes to moto unchanged (DescribeCluster…).
    state.hits.push(`forward:${req.method} ${url.pathname}`);
    const m = new URL(opts.motoEndpoint);
    const fwd = httpRequest({ host: m.hostname, port: m.port, method: req.method, path: req.url, headers: { ...req.headers, host: m.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => json(502, { message: 'moto unreachable' }));
    fwd.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return state;
}
