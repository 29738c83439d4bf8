import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { LgspConfig } from '@lgsp/config';
import type { Logger } from '@lgsp/observability';

/** Where a gateway keeps the state it serves from while PostgreSQL or IAM is unreachable. */
export function lastKnownGoodFiles(config: Pick<LgspConfig, 'dataDir'>): { registry: string; jwks: string; revocations: string } {
  const dir = join(config.dataDir, 'gateway');
  return { registry: join(dir, 'registry-snapshot.json'), jwks: join(dir, 'jwks.json'), revocations: join(dir, 'revocations.json') };
}

/**
 * One JSON document kept on local disk: the last good copy of something loaded from elsewhere.
 * Writes are atomic (temporary file, fsync, rename, directory fsync: a crash leaves the old copy or
 * the new one, never half of either), skipped when nothing changed, and run one after another so
 * an older copy never lands over a newer one. Nothing here blocks a request: callers do not wait.
 */
export class LastKnownGoodFile<T> {
  private written?: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly isValid: (value: unknown) => value is T,
    private readonly logger?: Logger,
  ) {}

  /** Queues the value for writing; resolves once it is on disk (or the write failed and was logged). */
  keep(value: T): Promise<void> {
    const text = JSON.stringify(value);
    this.queue = this.queue.then(() => this.write(text));
    return this.queue;
  }

  /** The copy on disk; undefined when there is none or it cannot be used (logged). */
  async read(): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger?.error({ err: error, file: { path: this.path } }, 'the last known good copy cannot be read');
      return undefined;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!this.isValid(value)) {
      this.logger?.error({ event: { action: 'last-known-good-invalid' }, file: { path: this.path } }, 'the last known good copy on disk is not usable');
      return undefined;
    }
    // What is on disk already need not be written again when the source gives the same.
    this.written ??= text.trimEnd();
    return value;
  }

  private async write(text: string): Promise<void> {
    if (text === this.written) return;
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await writeFile(temporary, text + '\n', { flush: true, mode: 0o600 });
      await rename(temporary, this.path);
      await syncDirectory(dirname(this.path));
      this.written = text;
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      this.logger?.warn({ err: error, event: { action: 'last-known-good-write-failed' }, file: { path: this.path } }, 'the last known good copy could not be written');
    }
  }
}

/** Makes the rename itself durable; some platforms cannot open a directory, and lose only that. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: the file's own contents are already synced.
  } finally {
    await handle?.close();
  }
}
