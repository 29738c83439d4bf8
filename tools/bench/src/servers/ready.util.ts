import type { AddressInfo, Server } from 'node:net';

/** A benchmark server announces its URL on stdout in one line the runner waits for. */
export function announce(server: Pick<Server, 'address'>, name: string): void {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`READY ${name} http://127.0.0.1:${port}\n`);
}

export function portFromArgs(): number {
  return Number(process.argv[2] ?? 0);
}
