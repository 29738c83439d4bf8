import { resolve } from 'node:path';

import type { LgspConfig } from '@lgsp/config';
import { ensureDataDirSecret } from '@lgsp/config';
import type { DeclarativeConfig } from '@lgsp/data';
import { loadDeclarativeFile } from '@lgsp/data';

export const DEMO_FILE = resolve(__dirname, '../demo/lgsp.demo.yaml');
export const DEMO_CLIENT_ID = 'demo-consumer';

/**
 * The demo registry: the shipped file, pointed at the demo provider actually started, with a
 * sandbox credential whose secret is generated once into the data dir.
 */
export async function demoRegistry(config: LgspConfig, demoProviderUrl: string): Promise<{ declarative: DeclarativeConfig; clientSecret: string }> {
  const file = await loadDeclarativeFile(DEMO_FILE);
  const clientSecret = await ensureDataDirSecret(config.dataDir, 'demo-consumer-secret');
  const declarative: DeclarativeConfig = {
    ...file,
    apis: file.apis.map((api) => (api.domain === 'directory' ? { ...api, upstreams: { sandbox: demoProviderUrl, production: demoProviderUrl } } : api)),
    consumers: file.consumers.map((consumer) => ({
      ...consumer,
      credentials: [...consumer.credentials, { clientId: DEMO_CLIENT_ID, secret: { plain: clientSecret }, environment: 'sandbox' as const }],
    })),
  };
  return { declarative, clientSecret };
}
