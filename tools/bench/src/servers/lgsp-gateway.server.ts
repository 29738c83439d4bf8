import { mkdtemp, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { configFrom } from '@lgsp/config';
import { applyDeclarativeConfig, migrateDatabase, openChangeChannel, openDatabase } from '@lgsp/data';
import { GATEWAY_POLICIES, createGatewayApp, databaseJwksSource, databaseRevocationSource, openOutbox } from '@lgsp/gateway-core';
import { IamModule } from '@lgsp/iam';
import { createLogger } from '@lgsp/observability';

import { BENCH_CERTIFICATE_ID, BENCH_PUBLIC_URL, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, benchCertificatePem } from './bench-client.constant';
import { announce } from './ready.util';

const PEPPER = 'bench-pepper-bench-pepper-bench-pepper';
const KEY_ENCRYPTION_KEY = 'bench-key-encryption-key-bench-key-encryption';

/** The bench API's contract: what the validate policy checks on every call. */
const OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'bench', version: '1' },
  paths: {
    '/organisations': {
      get: {
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
        ],
        responses: { '200': { description: 'ok' } },
      },
      post: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'code'],
                properties: { name: { type: 'string', maxLength: 200 }, code: { type: 'string', pattern: '^[A-Z]{2}-[A-Z]{2,4}$' }, address: { type: 'string', maxLength: 500 } },
              },
            },
          },
        },
        responses: { '200': { description: 'ok' } },
      },
    },
  },
};

/**
 * The LGSP gateway as `npm start` runs it — IAM on the same listener, the data plane's chain as
 * GATEWAY_POLICIES has it, ledger outbox, access log at info to a discarded stdout — with one API
 * routed to the fixed upstream and one consumer subscribed, holding a signing certificate.
 * Embedded by default (PGlite registry, in-process throttle); `--database-url` and `--redis-url`
 * give the production setup (PostgreSQL registry and change channel, Redis throttle).
 * Limits are raised so the throttle and the guard decide on every request but admit (the load
 * comes from one address, far above the guard's per-IP default).
 * The per-request access line is `errors` (LGSP_ACCESS_LOG, the setting for clusters whose ledger is
 * searchable): every transaction is in the ledger's outbox either way.
 *   lgsp-gateway.server.ts <upstream> [--database-url postgres://…] [--redis-url redis://…] [--log-level info] [--access-log all|errors|off] [--cpu-profile <file>]
 * Announces `READY lgsp <url> <policy,…>`: the runner skips scenarios the chain cannot serve yet.
 */
/**
 * `--cpu-profile <file>`: the runner sends SIGUSR2 when the load starts (start-up, compilation and
 * the probes are over) and SIGTERM when it ends; the V8 profile of that span is written to the file.
 */
function profileOnSignals(file: string): void {
  const session = new Session();
  session.connect();
  const post = (method: string): Promise<unknown> => new Promise((done, fail) => session.post(method, (error, result) => (error ? fail(error) : done(result))));
  let started = false;
  process.once('SIGUSR2', () => {
    started = true;
    void post('Profiler.enable').then(() => post('Profiler.start'));
  });
  process.once('SIGTERM', () => {
    if (!started) process.exit(0);
    void post('Profiler.stop')
      .then((result) => writeFile(file, JSON.stringify((result as { profile: unknown }).profile)))
      .finally(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'database-url': { type: 'string' }, 'redis-url': { type: 'string' }, 'log-level': { type: 'string', default: 'info' }, 'cpu-profile': { type: 'string' }, 'access-log': { type: 'string', default: 'errors' } },
  });
  const upstream = positionals[0];
  const databaseUrl = values['database-url'];
  const dataDir = await mkdtemp(join(tmpdir(), 'lgsp-bench-'));
  const config = configFrom({
    LGSP_PORT: '0',
    LGSP_DATA_DIR: dataDir,
    LGSP_PUBLIC_URL: BENCH_PUBLIC_URL,
    LGSP_LOG_LEVEL: values['log-level'],
    LGSP_ACCESS_LOG: values['access-log'],
    LGSP_READ_LIMIT_PER_MINUTE: '10000000',
    LGSP_WRITE_LIMIT_PER_MINUTE: '10000000',
    LGSP_GUARD_PER_IP_PER_SECOND: '1000000',
    ...(databaseUrl !== undefined && { DATABASE_URL: databaseUrl, LGSP_SECRET_PEPPER: PEPPER, LGSP_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY }),
    ...(values['redis-url'] !== undefined && { REDIS_URL: values['redis-url'] }),
  });
  const database = await openDatabase({ url: config.databaseUrl, dataDir });
  await migrateDatabase(database);
  await applyDeclarativeConfig(
    database.db,
    {
      source: 'bench',
      admins: [],
      consumers: [
        {
          id: 'bench.consumer',
          name: 'Benchmark consumer',
          credentials: [{ clientId: BENCH_CLIENT_ID, secret: { plain: BENCH_CLIENT_SECRET }, environment: 'sandbox' }],
          certificates: [{ id: BENCH_CERTIFICATE_ID, pem: benchCertificatePem() }],
          subscriptions: [{ api: 'bench', version: 'v1', environments: ['sandbox'] }],
        },
      ],
      apis: [{ domain: 'bench', version: 'v1', upstreams: { sandbox: upstream, production: upstream }, openapi: OPENAPI, classification: 'noi-bo', status: 'published' }],
    },
    { pepper: PEPPER },
  );
  const logger = createLogger({ service: 'lgsp-gateway', level: config.logLevel });
  const changes = await openChangeChannel({ url: config.databaseUrl, onError: (error) => logger.error({ err: error }, 'change channel error') });
  const sink = await openOutbox(config, logger);
  const gateway = await createGatewayApp({
    config,
    logger,
    database,
    changes,
    sink,
    jwks: databaseJwksSource(database.db),
    revocations: databaseRevocationSource(database.db),
    imports: [IamModule.forRoot({ config, logger, database, changes, sink, pepper: PEPPER, keyEncryptionKey: KEY_ENCRYPTION_KEY })],
    tracingEnabled: false,
  });
  await gateway.listen();
  const profileFile = values['cpu-profile'];
  if (profileFile !== undefined) profileOnSignals(profileFile);
  announce(gateway.app.getHttpServer(), 'lgsp', GATEWAY_POLICIES.map((policy) => policy.name).join(','));
}

void main();
