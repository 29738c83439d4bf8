import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { closedPort } from '@lgsp/testing';

import { SERVER_CORE, pinned, stop } from '../process/bench-process.util';
import type { BenchServer } from '../process/bench-process.util';

/** nginx's path, or undefined where it is not installed (Debian: `apt-get install nginx-light`). */
export function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  const which = spawnSync('which', ['nginx'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/**
 * nginx as a reverse proxy in front of the upstream, configured as a production one would be for
 * this test: one worker (one core, like the Node servers), HTTP/1.1 keep-alive connections to the
 * upstream, no access log. Runs in the foreground (`daemon off`) as the runner's child, on the servers' core.
 */
function nginxConfig(prefix: string, port: number, upstream: URL): string {
  return `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  upstream bench_upstream {
    server ${upstream.host};
    keepalive 128;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

export async function startNginx(binary: string, upstreamUrl: string): Promise<BenchServer> {
  const prefix = await mkdtemp(join(tmpdir(), 'lgsp-bench-nginx-'));
  await mkdir(join(prefix, 'client_body'));
  await mkdir(join(prefix, 'proxy'));
  const port = await closedPort();
  const conf = join(prefix, 'nginx.conf');
  await writeFile(conf, nginxConfig(prefix, port, new URL(upstreamUrl)));
  const [command, argv] = pinned(SERVER_CORE, binary, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log'), '-g', 'daemon off;']);
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<never>((_resolve, reject) => child.once('exit', (code) => reject(new Error(`nginx exited with ${code} before it listened (see ${prefix}/error.log)`))));
  await Promise.race([listening(port), exited]);
  return { name: 'nginx', url: `http://127.0.0.1:${port}`, extra: '', child, stop: () => stop(child) };
}

async function listening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolveTry) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolveTry(true);
      });
      socket.once('error', () => resolveTry(false));
    });
    if (open) return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within 5 s`);
}
