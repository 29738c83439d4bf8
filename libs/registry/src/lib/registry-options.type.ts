import type { X509Certificate } from 'node:crypto';

import type { LgspConfig } from '@lgsp/config';
import type { ChangeChannel, LgspDatabase } from '@lgsp/data';
import type { Logger } from '@lgsp/observability';

export interface RegistryModuleOptions {
  readonly config: LgspConfig;
  readonly logger: Logger;
  /** Used, not owned: the caller closes it. */
  readonly database: LgspDatabase;
  /** Where every gateway hears that the registry changed. */
  readonly changes: ChangeChannel;
  /** Keys the hashes of client secrets and follow-up secrets (LGSP_SECRET_PEPPER). */
  readonly pepper: string;
  /** Injected in tests to walk the 5-working-day, 60-day and 180-day rules. */
  readonly clock?: () => Date;
  /** The CA certificates of LGSP_TRUST_ANCHORS; absent: certificate uploads are refused. */
  readonly trustAnchors?: readonly X509Certificate[];
  /** Vietnamese public holidays (YYYY-MM-DD) that are not working days for the DGO's deadline; default LGSP_HOLIDAYS. */
  readonly holidays?: ReadonlySet<string>;
}

export const REGISTRY_OPTIONS = Symbol('REGISTRY_OPTIONS');
