import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

import { migrateDatabase, openDatabase } from '@lgsp/data';
import { bootstrapAdminClient } from '@lgsp/iam';

import type { ClusterProcess } from './cluster-process.util';
import { WORKSPACE, startClusterProcess } from './cluster-process.util';
import type { ClusterSecrets } from './cluster-secrets.util';
import { ensureClusterSecrets } from './cluster-secrets.util';
import { ensureEngines } from './engines.util';
import { LoadBalancer } from './load-balancer.server';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/lgsp_cluster';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_CLUSTER_DIR = '.lgsp/cluster';
export const DEFAULT_PORT = 8080;
export const DEFAULT_GATEWAYS = 3;
export const ADMIN_CLIENT_ID = 'dgo-admin';
/** Gateways on fixed ports take port + 11 ... port + 19. */
export const MAX_GATEWAYS = 9;
const READY_TIMEOUT_MS = 90_000;

export interface ClusterOptions {
  /** Gateway replicas behind the balancer (default 3). */
  readonly gateways?: number;
  /**
   * The balancer's port (default 8080); the services take fixed ports after it: registry admin
   * +1, ledger admin +2, IAM +10, gateways +11..., demo provider +20. 0: every port is a free one.
   */
  readonly port?: number;
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  /** Keys, secrets, data dirs and logs (default .lgsp/cluster, relative to the working directory). */
  readonly dir?: string;
  /** Also start the demo provider (apps/demo-provider) for the "try it" steps. */
  readonly demoProvider?: boolean;
  /** Variables added to every service's environment (after the cluster's own). */
  readonly env?: Readonly<Record<string, string>>;
  /** Told what the cluster is doing, and each warning or error a service logs. */
  readonly report?: (line: string) => void;
}

export interface ClusterService {
  readonly name: string;
  readonly url: string;
  readonly process: ClusterProcess;
}

export interface Cluster {
  /** The balancer: the platform's public URL (LGSP_PUBLIC_URL of every service). */
  readonly publicUrl: string;
  readonly iamUrl: string;
  /** The registry's admin API. */
  readonly registryUrl: string;
  /** The ledger's SOC and reconciliation API. */
  readonly ledgerUrl: string;
  readonly demoProviderUrl?: string;
  readonly gateways: readonly ClusterService[];
  readonly services: readonly ClusterService[];
  readonly balancer: LoadBalancer;
  readonly databaseUrl: string;
  readonly dir: string;
  readonly secrets: ClusterSecrets;
  /** The DGO admin client created by this start (its secret exists only here), or the one that exists. */
  readonly admin: { readonly clientId: string; readonly clientSecret?: string };
  /** Whether the database was created by this start. */
  readonly databaseCreated: boolean;
  /** The balancer first, then the gateways, the ledger, the registry, IAM (each SIGTERM, waited for); exit code per service. */
  stop(): Promise<Record<string, number | null>>;
}

interface ServiceSpec {
  readonly name: string;
  readonly entry: string;
  readonly port: number;
  /** LGSP_PORT (public listener) or LGSP_ADMIN_PORT or the demo provider's own. */
  readonly portVariable: 'LGSP_PORT' | 'LGSP_ADMIN_PORT' | 'LGSP_DEMO_PROVIDER_PORT';
  /** The route that answers 200 once the service serves; undefined: listening is enough. */
  readonly readyPath?: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePort) => server.listen(0, '127.0.0.1', resolvePort));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}

async function portOf(base: number, offset: number): Promise<number> {
  return base === 0 ? freePort() : base + offset;
}

async function readyAt(url: string, path: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const response = await fetch(url + path, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not answering yet.
    }
    if (Date.now() > deadline) throw new Error(`${url}${path} did not answer 200 in time`);
    await new Promise((wait) => setTimeout(wait, 200));
  }
}

/** Pids of the services of a cluster still running from this dir, if any. */
async function runningPids(file: string): Promise<number[]> {
  let pids: number[];
  try {
    pids = (JSON.parse(await readFile(file, 'utf8')) as { pids?: number[] }).pids ?? [];
  } catch {
    return [];
  }
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The split topology on one machine: PostgreSQL and Redis checked, the database created and
 * migrated, the shared keys generated once into the cluster dir, the first DGO admin client
 * bootstrapped, then IAM, the registry, the ledger and the gateway replicas (and the demo
 * provider) as processes of their own behind an in-process load balancer.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const report = options.report ?? (() => undefined);
  const gatewayCount = options.gateways ?? DEFAULT_GATEWAYS;
  const base = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(gatewayCount) || gatewayCount < 1 || gatewayCount > MAX_GATEWAYS) throw new Error(`--gateways must be 1 to ${MAX_GATEWAYS}`);
  if (!Number.isInteger(base) || base < 0 || base > 65535 - 20) throw new Error('--port must be 0 (any free ports) or a port up to 65515');
  const databaseUrl = options.databaseUrl ?? DEFAULT_DATABASE_URL;
  const redisUrl = options.redisUrl ?? DEFAULT_REDIS_URL;
  const dir = resolve(options.dir ?? DEFAULT_CLUSTER_DIR);
  const pidFile = join(dir, 'processes.json');

  const leftovers = await runningPids(pidFile);
  if (leftovers.length > 0) throw new Error(`a cluster from ${dir} still runs (pids ${leftovers.join(' ')}): stop it first (kill ${leftovers.join(' ')})`);

  const databaseCreated = await ensureEngines(databaseUrl, redisUrl);
  report(databaseCreated ? 'created the database' : 'using the existing database');
  const secrets = await ensureClusterSecrets(dir);

  const database = await openDatabase({ url: databaseUrl });
  let admin: Cluster['admin'];
  try {
    await migrateDatabase(database);
    const bootstrap = await bootstrapAdminClient(database.db, { clientId: ADMIN_CLIENT_ID, name: 'DGO (tools/cluster)', pepper: secrets.pepper });
    admin = bootstrap.created ? { clientId: bootstrap.clientId, clientSecret: bootstrap.clientSecret } : { clientId: bootstrap.reason === 'admin-exists' ? (bootstrap.existing[0] ?? ADMIN_CLIENT_ID) : ADMIN_CLIENT_ID };
  } finally {
    await database.close();
  }
  report('database migrated');

  const balancer = await LoadBalancer.listen({ port: base });
  const services: ClusterService[] = [];
  const processes: ClusterProcess[] = [];
  const stopAll = async (): Promise<Record<string, number | null>> => {
    await balancer.close();
    const codes: Record<string, number | null> = {};
    const stopGroup = async (names: (name: string) => boolean): Promise<void> => {
      await Promise.all(processes.filter((p) => names(p.name)).map(async (p) => (codes[p.name] = await p.stop())));
    };
    await stopGroup((name) => name.startsWith('gateway-'));
    for (const name of ['ledger', 'registry', 'iam', 'demo-provider']) await stopGroup((n) => n === name);
    await rm(pidFile, { force: true });
    return codes;
  };

  try {
    const specs = {
      iam: { name: 'iam', entry: 'apps/iam/src/main.ts', port: await portOf(base, 10), portVariable: 'LGSP_PORT', readyPath: '/health/ready' },
      registry: { name: 'registry', entry: 'apps/registry/src/main.ts', port: await portOf(base, 1), portVariable: 'LGSP_ADMIN_PORT', readyPath: '/health/live' },
      ledger: { name: 'ledger', entry: 'apps/ledger/src/main.ts', port: await portOf(base, 2), portVariable: 'LGSP_ADMIN_PORT', readyPath: '/health/ready' },
      demo: { name: 'demo-provider', entry: 'apps/demo-provider/src/main.ts', port: await portOf(base, 20), portVariable: 'LGSP_DEMO_PROVIDER_PORT' },
    } satisfies Record<string, ServiceSpec>;
    const gatewaySpecs: ServiceSpec[] = [];
    for (let i = 0; i < gatewayCount; i++) {
      gatewaySpecs.push({ name: `gateway-${i + 1}`, entry: 'apps/gateway/src/main.ts', port: await portOf(base, 11 + i), portVariable: 'LGSP_PORT', readyPath: '/health/ready' });
    }
    const iamUrl = `http://127.0.0.1:${specs.iam.port}`;
    const common: Record<string, string> = {
      LGSP_PUBLIC_URL: balancer.url,
      LGSP_HOST: '127.0.0.1',
      LGSP_ADMIN_HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      LGSP_LEDGER_OUTBOX: 'postgres',
      LGSP_SECRET_PEPPER: secrets.pepper,
      LGSP_KEY_ENCRYPTION_KEY: secrets.keyEncryptionKey,
      LGSP_SIGNING_KEY: secrets.signingKeyFile,
      LGSP_BACKEND_JWT_KEY: secrets.backendJwtKeyFile,
      LGSP_IAM_URL: iamUrl,
      LGSP_GATEWAY_REPLICAS: String(gatewayCount),
      // The balancer reaches the services from loopback.
      LGSP_TRUSTED_PROXIES: '127.0.0.1,::1',
      LGSP_LOG_LEVEL: 'info',
      ...options.env,
    };
    await mkdir(join(dir, 'logs'), { recursive: true });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const start = async (spec: ServiceSpec): Promise<ClusterService> => {
      const child = startClusterProcess({
        name: spec.name,
        entry: spec.entry,
        env: { ...common, [spec.portVariable]: String(spec.port), LGSP_DATA_DIR: join(dir, 'data', spec.name) },
        logFile: join(dir, 'logs', `${spec.name}.log`),
        onProblem: (name, message) => report(`[${name}] ${message}`),
      });
      processes.push(child);
      const url = await child.listening;
      if (spec.readyPath !== undefined) await readyAt(url, spec.readyPath, deadline);
      report(`${spec.name} ready at ${url}`);
      const service = { name: spec.name, url, process: child };
      services.push(service);
      return service;
    };
    // Gateways fetch IAM's JWKS as they start: IAM first, the others meanwhile.
    const iamStarted = start(specs.iam);
    const others = Promise.all([start(specs.registry), start(specs.ledger), ...(options.demoProvider === true ? [start(specs.demo)] : [])]);
    // Observed below; a failure while IAM is still awaited must not go unhandled meanwhile.
    others.catch(() => undefined);
    const iam = await iamStarted;
    const gateways = await Promise.all(gatewaySpecs.map((spec) => start(spec)));
    const [registry, ledger, demo] = await others;
    await writeFile(pidFile, JSON.stringify({ pids: processes.map((p) => p.child.pid) }) + '\n');
    balancer.setTargets(gateways, iam);
    await balancer.waitUntilAllHealthy();
    report(`balancer ready at ${balancer.url}`);
    return {
      publicUrl: balancer.url,
      iamUrl: iam.url,
      registryUrl: registry.url,
      ledgerUrl: ledger.url,
      ...(demo !== undefined && { demoProviderUrl: demo.url }),
      gateways,
      services,
      balancer,
      databaseUrl,
      dir,
      secrets,
      admin,
      databaseCreated,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** The files the "try it" steps use: the demo API's registration and a consumer's registration form. */
export async function writeDemoKit(cluster: Cluster): Promise<{ apiFile: string; formFile: string }> {
  const demoDir = join(cluster.dir, 'demo');
  await mkdir(demoDir, { recursive: true });
  const apiFile = join(demoDir, 'directory-v1.yaml');
  const formFile = join(demoDir, 'registration.yaml');
  const upstream = cluster.demoProviderUrl ?? 'http://127.0.0.1:9100';
  await writeFile(
    apiFile,
    [
      '# The demo provider (apps/demo-provider) as API directory v1: lgsp admin apis register directory <this file>',
      'version: v1',
      'name: Danh bạ tổ chức (demo)',
      'provider: van-phong-trung-uong',
      `upstreams: { sandbox: "${upstream}", production: "${upstream}" }`,
      'classification: noi-bo',
      `openapi_file: ${join(WORKSPACE, 'openapi/demo-provider.yaml')}`,
      '',
    ].join('\n'),
  );
  await writeFile(
    formFile,
    [
      '# A consumer system asking for directory v1 in sandbox: lgsp admin registrations submit <this file>',
      'organisation: { id: tu-ha-noi, name: Thành uỷ Hà Nội, address: "2 Lê Lai, Hoàn Kiếm, Hà Nội" }',
      'representative: { name: Nguyễn Văn A, position: Chánh Văn phòng }',
      'technicalContact: { name: Trần Thị B, phone: "+84912345678", email: b.tran@hanoi.dcs.vn }',
      'system: { name: Hệ thống quản lý cán bộ, businessDomain: Tổ chức cán bộ }',
      'security: { level: 3, approvalDocument: 123/QĐ-VPTU }',
      'maxClassification: noi-bo',
      'connectionOption: 2',
      'data:',
      '  - { api: directory, version: v1, classification: noi-bo, frequency: realtime, method: api, expectedStart: "2027-01-15", purpose: Tra cứu danh mục cơ quan }',
      '',
    ].join('\n'),
  );
  return { apiFile, formFile };
}
