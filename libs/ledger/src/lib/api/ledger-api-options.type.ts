import type { ChangeChannel, LgspDatabase } from '@lgsp/data';

import type { LedgerQueries } from '../store/ledger-store.type';
import type { StatementSigner } from './statement-signature.util';

export interface LedgerApiModuleOptions {
  /** SqlLedgerQueries (the embedded default) or the Elasticsearch implementation. */
  readonly queries: LedgerQueries;
  /** The platform signing key: statements and reconciliations are signed with it. */
  readonly signer: StatementSigner;
  /** The registry's database: admin clients and keys (authentication), consumer systems (scopes). Used, not owned. */
  readonly database: LgspDatabase;
  /** LGSP_PUBLIC_URL: the issuer and audience of admin tokens. */
  readonly publicUrl: string;
  /** Announces new IAM signing keys (optional: an unknown kid reloads them anyway). */
  readonly changes?: ChangeChannel;
  /** The time a statement says it was generated (tests). */
  readonly clock?: () => Date;
}

export const LEDGER_API_OPTIONS = Symbol('LEDGER_API_OPTIONS');

/** The longest period one search, statement or reconciliation covers. */
export const MAX_PERIOD_DAYS = 31;
/** The most rows one reconciliation upload may carry. */
export const MAX_RECONCILIATION_ROWS = 200_000;
/** The body limit of POST /admin/v1/ledger/reconciliations only (CSV at ~45 bytes a row, JSON at ~70). */
export const RECONCILIATION_BODY_LIMIT = 16 * 1024 * 1024;
