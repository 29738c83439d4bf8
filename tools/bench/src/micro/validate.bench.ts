import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { GatewayContext, PolicyDependencies, PolicyResult } from '@lgsp/gateway-core';
import { RouteTable, compileRequestValidators, validatePolicy } from '@lgsp/gateway-core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parse } from 'yaml';

/**
 * The validate phase's cost per request, in microseconds, against the demo provider's document
 * (openapi/demo-provider.yaml): a valid small JSON body (POST /documents, ~200 bytes: parse a copy,
 * run the compiled schema), a valid read with path, query and header parameters, and a refused
 * body (the 400 with its located errors built). Also the one-off cost of compiling the document's
 * validators, paid when a routing table first meets it. Sub-microsecond work is timed in batches.
 *   node tools/scripts/run-ts.mjs tools/bench/src/micro/validate.bench.ts [seconds per task, default 2]
 */
const SECONDS = Number(process.argv[2] ?? 2);
const BATCH = 100;
const DOCUMENT = parse(readFileSync(join(__dirname, '../../../../openapi/demo-provider.yaml'), 'utf8')) as Record<string, unknown>;

const VALID_BODY = JSON.stringify({
  organisationId: 'thanh-uy-ha-noi',
  number: '125-QĐ/TU',
  title: 'Về việc thành lập Ban Chỉ đạo chuyển đổi số',
  type: 'quyet-dinh',
  issuedAt: '2025-03-12',
  signer: 'Trần Minh Đức',
  classification: 'noi-bo',
  recipients: ['Các ban đảng', 'Lưu VP'],
});
const INVALID_BODY = JSON.stringify({ organisationId: 'Thanh Uy', number: '125', title: '', type: 'khac', issuedAt: '2025-02-30', extra: true });

async function main(): Promise<void> {
  const { Bench } = await import('tinybench');
  const table = RouteTable.build(
    {
      apiVersions: [
        {
          id: 'directory-v1',
          domain: 'directory',
          version: 'v1',
          kind: 'rest',
          status: 'published',
          classification: 'noi-bo',
          upstreams: { sandbox: 'http://127.0.0.1:9100', production: 'http://127.0.0.1:9100' },
          openapi: DOCUMENT,
        },
      ],
      consumers: [],
      subscriptions: [],
      blocks: [],
    },
    { publicUrl: 'https://api.lgsp.example' },
  );
  const route = table.lookup('v1', 'directory');
  if (route?.operations === undefined) throw new Error('the demo document routes nothing');
  const handler = validatePolicy.create({ maxErrors: 20 }, { routes: { table } } as unknown as PolicyDependencies);

  const contextOf = (method: string, resourcePath: string, query: string, headers: Record<string, string>, body?: string): GatewayContext => ({
    request: { method, headers, body: body === undefined ? undefined : Buffer.from(body) } as unknown as FastifyRequest,
    reply: {} as FastifyReply,
    transactionId: 't',
    receivedAt: 0,
    path: `/v1/directory${resourcePath}`,
    query,
    resourcePath,
    route,
    operation: route.operations?.match(method, resourcePath),
    bytesIn: body?.length ?? 0,
  });
  const post = contextOf('POST', '/documents', '', { 'content-type': 'application/json' }, VALID_BODY);
  const read = contextOf('GET', '/documents', '?organisationId=thanh-uy-ha-noi&type=quyet-dinh&issuedFrom=2025-01-01&page=2&pageSize=50', {
    'x-request-id': '8ae592ae-2b55-4a79-9b9e-b475e5dda3ed',
  });
  const refused = contextOf('POST', '/documents', '', { 'content-type': 'application/json' }, INVALID_BODY);
  if (handler.handle(post) !== undefined || handler.handle(read) !== undefined) throw new Error('the valid requests are refused');
  if (handler.handle(refused) === undefined) throw new Error('the invalid body is accepted');

  const bench = new Bench({ time: SECONDS * 1000, warmupTime: 500 });
  const perRequest = new Map<string, number>();
  const add = (name: string, context: GatewayContext) => {
    bench.add(name, () => {
      for (let i = 0; i < BATCH; i++) handler.handle(context) as PolicyResult;
    });
    perRequest.set(name, BATCH);
  };
  add(`valid JSON body (POST /documents, ${Buffer.byteLength(VALID_BODY)} bytes)`, post);
  add('valid read (GET /documents: 5 query parameters, 1 header)', read);
  add('refused body (400, 6 violations listed)', refused);
  bench.add('compile the document (8 operations, once per new document)', () => {
    compileRequestValidators(structuredClone(DOCUMENT));
  });
  await bench.run();

  const rows = bench.tasks.map((task) => {
    const result = task.result;
    if (result?.state !== 'completed') return `| ${task.name} | ${result?.state ?? 'not run'} | | |`;
    const n = perRequest.get(task.name) ?? 1;
    const mean = (result.latency.mean * 1000) / n;
    const p99 = (result.latency.p99 * 1000) / n;
    return `| ${task.name} | ${mean.toFixed(2)} | ${p99.toFixed(2)} | ${Math.round(1e6 / mean).toLocaleString('en')} |`;
  });
  console.log([`\nValidate micro-benchmarks (Node ${process.version})\n`, '| validate | µs (mean) | µs (p99 of samples) | per second |', '|---|---:|---:|---:|', ...rows].join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
