import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { OAuthPath } from '@lgsp/contracts';
import type { Logger } from '@lgsp/observability';
import { request } from 'undici';

import type { Jwks, JwksSource } from './jwks-state.service';

export interface RemoteJwksSourceOptions {
  /** LGSP_IAM_URL, without a trailing slash. */
  readonly iamUrl: string;
  /** Where the last good JWKS is kept (`${dataDir}/jwks.json`). */
  readonly cacheFile: string;
  /** Milliseconds the whole fetch may take before the disk cache is used instead. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

const MAX_JWKS_BYTES = 256 * 1024;

function isJwks(value: unknown): value is Jwks {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Jwks).keys) &&
    (value as Jwks).keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))
  );
}

/**
 * A split-out gateway's keys: IAM's published JWKS over HTTP. Each good answer is written to disk
 * (atomically: a crash mid-write leaves the previous file), and that file answers while IAM cannot —
 * at start-up too, so a gateway restarted during an IAM outage still verifies tokens.
 */
export function remoteJwksSource(options: RemoteJwksSourceOptions): JwksSource {
  const url = options.iamUrl + OAuthPath.jwks;
  const timeoutMs = options.timeoutMs ?? 2000;
  let written: string | undefined;

  async function fetchJwks(): Promise<{ jwks: Jwks; text: string }> {
    const response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`IAM answered ${response.statusCode} for its JWKS`);
    }
    const text = await response.body.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error('IAM answered an oversized JWKS');
    const jwks: unknown = JSON.parse(text);
    if (!isJwks(jwks)) throw new Error('IAM answered something that is not a JWKS');
    return { jwks: { keys: jwks.keys }, text: JSON.stringify({ keys: jwks.keys }) };
  }

  async function keep(text: string): Promise<void> {
    if (text === written) return;
    await mkdir(dirname(options.cacheFile), { recursive: true });
    const temporary = `${options.cacheFile}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, text + '\n', { flush: true });
      await rename(temporary, options.cacheFile);
      written = text;
    } catch (error) {
      await rm(temporary, { force: true });
      options.logger?.warn({ err: error, event: { action: 'jwks-cache-write-failed' }, file: { path: options.cacheFile } }, 'the JWKS could not be kept on disk');
    }
  }

  async function fromDisk(cause: unknown): Promise<Jwks> {
    let text: string;
    try {
      text = await readFile(options.cacheFile, 'utf8');
    } catch {
      throw new Error(`IAM's JWKS is unreachable and no copy is kept at ${options.cacheFile}`, { cause });
    }
    const jwks: unknown = JSON.parse(text);
    if (!isJwks(jwks)) throw new Error(`${options.cacheFile} does not hold a JWKS`, { cause });
    options.logger?.warn(
      { err: cause, event: { action: 'jwks-served-from-disk' }, file: { path: options.cacheFile } },
      'IAM is unreachable; verifying with the JWKS kept on disk',
    );
    return { keys: jwks.keys };
  }

  return {
    async load() {
      let fetched: { jwks: Jwks; text: string };
      try {
        fetched = await fetchJwks();
      } catch (error) {
        return fromDisk(error);
      }
      await keep(fetched.text);
      return fetched.jwks;
    },
  };
}
