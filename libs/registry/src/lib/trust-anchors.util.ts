import type { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { LgspConfig } from '@lgsp/config';

import { parsePemBundle } from './rules/certificate-chain.util';

/** Reads LGSP_TRUST_ANCHORS at start-up; an unreadable or empty bundle stops the process rather than accepting every certificate. */
export async function loadTrustAnchors(config: LgspConfig): Promise<X509Certificate[] | undefined> {
  const file = config.registry.trustAnchorsFile;
  if (file === undefined) return undefined;
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`LGSP_TRUST_ANCHORS: cannot read ${file} (${error.code ?? error.message})`, { cause: error });
  });
  try {
    return parsePemBundle(text);
  } catch (error) {
    throw new Error(`LGSP_TRUST_ANCHORS: ${file} holds no usable CA certificate (${(error as Error).message})`, { cause: error });
  }
}
