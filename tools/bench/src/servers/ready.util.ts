import { writeSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';

/** File descriptor 3: the runner's channel for READY lines, so the server's own stdout (its access log) can go to /dev/null. */
const READY_FD = 3;

/** A benchmark server announces its URL (and anything else the runner needs) in one line the runner waits for. */
export function announce(server: Pick<Server, 'address'>, name: string, extra?: string): void {
  const { port } = server.address() as AddressInfo;
  const line = `READY ${name} http://127.0.0.1:${port}${extra === undefined ? '' : ` ${extra}`}\n`;
  try {
    writeSync(READY_FD, line);
  } catch {
    process.stdout.write(line); // started by hand, without the runner's channel
  }
}
