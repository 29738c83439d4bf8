// PostgreSQL and Redis for the test suite: used when running, started when installed but stopped,
// and named as Debian packages to install when absent. Never stops what it did not start.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';

function reachable(port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function waitFor(port, name, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(port)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not start listening on 127.0.0.1:${port} within ${seconds} s`);
}

async function ensurePostgres(missing) {
  if (await reachable(5432)) return;
  if (!has('pg_ctlcluster') || !existsSync('/etc/postgresql')) {
    missing.push('postgresql');
    return;
  }
  for (const version of readdirSync('/etc/postgresql')) {
    console.log(`starting PostgreSQL ${version} (cluster main)`);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  }
  await waitFor(5432, 'PostgreSQL', 30);
}

async function ensureRedis(missing) {
  if (await reachable(6379)) return;
  if (!has('redis-server')) {
    missing.push('redis-server');
    return;
  }
  console.log('starting Redis on 127.0.0.1:6379');
  const args = ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no'];
  if (existsSync('/var/lib/redis')) args.push('--dir', '/var/lib/redis');
  execFileSync('redis-server', args, { stdio: 'inherit' });
  await waitFor(6379, 'Redis', 15);
}

export async function ensureServices() {
  const missing = [];
  await ensurePostgres(missing);
  await ensureRedis(missing);
  // libs/client-pkcs11 signs inside a SoftHSM token, as consumers do with their USB tokens.
  if (!has('softhsm2-util')) missing.push('softhsm2');
  if (missing.length > 0) {
    throw new Error(`The tests need PostgreSQL and Redis on 127.0.0.1 and SoftHSM. Install the Debian packages: apt-get install -y ${missing.join(' ')}`);
  }
}
