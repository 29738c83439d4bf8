import { connect } from 'node:net';

import { Redis } from 'ioredis';
import { Client } from 'pg';

/** What is missing, with how to get it: the message the cluster stops with. */
export class EngineUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineUnavailableError';
  }
}

export const HOW_TO_START = `On Debian or Ubuntu:
  apt-get install -y postgresql redis-server     # when not installed
  pg_ctlcluster --skip-systemctl-redirect <version> main start   # or: systemctl start postgresql
  redis-server --daemonize yes --bind 127.0.0.1  # or: systemctl start redis-server
Or the engines of the compose file: docker compose -f docker/compose.yaml up -d postgres redis
(then --database-url postgres://lgsp:lgsp@127.0.0.1:5432/lgsp_cluster).`;

/** The URL without its password, for messages. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

/** The database named by the URL; the URL of the server's `postgres` database, to create it from. */
function databaseOf(databaseUrl: string): { name: string; serverUrl: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name)) throw new Error(`--database-url must name a database of letters, digits and _ (got "${name}")`);
  url.pathname = '/postgres';
  return { name, serverUrl: url.toString() };
}

/**
 * Checks that PostgreSQL answers and creates the URL's database when it does not exist yet.
 * Resolves to whether it was created.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const { name, serverUrl } = databaseOf(databaseUrl);
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new EngineUnavailableError(`PostgreSQL does not answer at ${redactUrl(serverUrl)}: ${(error as Error).message}`);
  }
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 1) return false;
    await client.query(`create database "${name}"`);
    return true;
  } finally {
    await client.end();
  }
}

/** Whether a TCP connection opens; the error's code when it does not (ioredis keeps only "Connection is closed"). */
function tcpProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('no answer within 3 s');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Checks that Redis answers PING. */
export async function ensureRedis(redisUrl: string): Promise<void> {
  const target = new URL(redisUrl);
  const unreachable = await tcpProblem(target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', Number(target.port || 6379));
  if (unreachable !== undefined) throw new EngineUnavailableError(`Redis does not answer at ${redactUrl(redisUrl)}: ${unreachable}`);
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new EngineUnavailableError(`Redis does not answer PING at ${redactUrl(redisUrl)}: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

/**
 * Redis checked, then the database created when absent (resolves to whether it was); when either
 * engine is missing, one error naming each and how to start them.
 */
export async function ensureEngines(databaseUrl: string, redisUrl: string): Promise<boolean> {
  const [database, redis] = await Promise.allSettled([ensureDatabase(databaseUrl), ensureRedis(redisUrl)]);
  const problems = [database, redis].filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason as Error);
  if (problems.length > 0) {
    const unexpected = problems.find((problem) => !(problem instanceof EngineUnavailableError));
    if (unexpected !== undefined) throw unexpected;
    throw new EngineUnavailableError(`${problems.map((problem) => problem.message).join('\n')}\n${HOW_TO_START}`);
  }
  return (database as PromiseFulfilledResult<boolean>).value;
}
