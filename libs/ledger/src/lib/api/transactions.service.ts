import type { AdminPrincipal } from '@lgsp/admin-auth';
import { ErrorCode, LgspError } from '@lgsp/contracts';
import { Inject, Injectable } from '@nestjs/common';

import type { ChainedDocument } from '../chain/hash-chain.util';
import { decodeLedgerCursor } from '../store/ledger-cursor.util';
import type { LedgerSearchPage, LedgerSearchQuery } from '../store/ledger-store.type';
import type { SearchTransactionsQueryDto } from './dto/search-transactions.dto';
import { LedgerAccessService } from './ledger-access.service';
import { LEDGER_API_OPTIONS, type LedgerApiModuleOptions } from './ledger-api-options.type';
import { periodOf } from './ledger-period.util';

const DEFAULT_PAGE_SIZE = 100;
/** GET transactions/{id} has no period: it looks through everything the store keeps. */
const ALL_TIME = { from: new Date(0), to: new Date(Date.UTC(9999, 0, 1)) };

@Injectable()
export class TransactionsService {
  constructor(
    @Inject(LEDGER_API_OPTIONS) private readonly options: LedgerApiModuleOptions,
    @Inject(LedgerAccessService) private readonly access: LedgerAccessService,
  ) {}

  async search(query: SearchTransactionsQueryDto, principal: AdminPrincipal): Promise<LedgerSearchPage> {
    if (query.cursor !== undefined && decodeLedgerCursor(query.cursor) === undefined) {
      throw new LgspError(ErrorCode.ValidationFailed, 'The cursor is not one this API issued', [{ location: 'cursor', message: 'must be the next of a previous page' }]);
    }
    const scope = await this.access.scopeOf(principal);
    const status = query.status === undefined ? {} : query.status.endsWith('xx') ? { statusClass: Number(query.status[0]) as 1 | 2 | 3 | 4 | 5 } : { status: Number(query.status) };
    const search: LedgerSearchQuery = {
      ...periodOf(query.from, query.to),
      ...(scope !== undefined && { scope }),
      ...(query.consumer !== undefined && { consumerId: query.consumer }),
      ...(query.provider !== undefined && { providerId: query.provider }),
      ...(query.api !== undefined && { apiDomain: query.api }),
      ...(query.version !== undefined && { apiVersion: query.version }),
      ...status,
      ...(query.errorCode !== undefined && { errorCode: query.errorCode }),
      ...(query.clientIp !== undefined && { clientIp: query.clientIp }),
      ...(query.requestId !== undefined && { requestId: query.requestId }),
      ...(query.transactionId !== undefined && { transactionId: query.transactionId.toLowerCase() }),
      ...(query.securityEvent !== undefined && { securityEvent: query.securityEvent === 'true' ? true : query.securityEvent }),
      size: query.size ?? DEFAULT_PAGE_SIZE,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    };
    return this.options.queries.search(search);
  }

  /** One transaction; a transaction outside the caller's scope is answered like a missing one. */
  async get(transactionId: string, principal: AdminPrincipal): Promise<ChainedDocument> {
    const scope = await this.access.scopeOf(principal);
    const page = await this.options.queries.search({ ...ALL_TIME, ...(scope !== undefined && { scope }), transactionId: transactionId.toLowerCase(), size: 1 });
    const [document] = page.items;
    if (document === undefined) throw new LgspError(ErrorCode.NotFound, 'No transaction with this id is visible to you');
    return document;
  }
}
