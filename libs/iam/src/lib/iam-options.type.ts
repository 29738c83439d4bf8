import type { LgspConfig } from '@lgsp/config';
import type { ChangeChannel, LgspDatabase } from '@lgsp/data';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { Logger } from '@lgsp/observability';

import type { AssertionReplayStore } from './authentication/assertion-replay.repository';
import type { AuthFailureStore } from './brute-force/auth-failure.repository';

export interface IamModuleOptions {
  readonly config: LgspConfig;
  readonly logger: Logger;
  readonly database: LgspDatabase;
  /** Where revocations and new signing keys are announced (and heard from other replicas). */
  readonly changes: ChangeChannel;
  /** The ledger outbox of token, revocation and introspection requests. */
  readonly sink: TransactionSink;
  /** LGSP_SECRET_PEPPER (resolved): the key of the secrets' keyed hash. */
  readonly pepper: string;
  /** LGSP_KEY_ENCRYPTION_KEY (resolved): encrypts the signing keys at rest. */
  readonly keyEncryptionKey: string;
  /** Tests move time; defaults to the system clock. */
  readonly clock?: () => Date;
  /** How answers to a suspected brute force are slowed; defaults to a timer (tests pass a recorder). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Failed-authentication counters; defaults to in-process (a Redis store for several replicas). */
  readonly authFailureStore?: AuthFailureStore;
  /** Seen client-assertion ids; defaults to in-process (a Redis store for several replicas). */
  readonly assertionReplayStore?: AssertionReplayStore;
  /** How often signing keys are checked for rotation; default one minute. */
  readonly keyMaintenanceIntervalMs?: number;
}
