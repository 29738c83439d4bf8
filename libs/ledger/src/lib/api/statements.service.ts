import { randomUUID } from 'node:crypto';

import type { AdminPrincipal } from '@lgsp/admin-auth';
import { Inject, Injectable } from '@nestjs/common';

import { VIETNAM_TIME_ZONE } from '../store/sql-ledger.queries';
import type { StatementQueryDto } from './dto/statement-query.dto';
import { LedgerAccessService } from './ledger-access.service';
import { LEDGER_API_OPTIONS, type LedgerApiModuleOptions } from './ledger-api-options.type';
import { partyOf, partyText, periodOf } from './ledger-period.util';
import { statementCsv, totalsOf } from './statement-csv.util';
import { signStatement } from './statement-signature.util';

/** A response whose exact bytes the platform signed. */
export interface SignedBody {
  readonly body: Buffer;
  readonly contentType: string;
  readonly signature: string;
  /** The statement's id (statements only). */
  readonly id?: string;
}

@Injectable()
export class StatementsService {
  constructor(
    @Inject(LEDGER_API_OPTIONS) private readonly options: LedgerApiModuleOptions,
    @Inject(LedgerAccessService) private readonly access: LedgerAccessService,
  ) {}

  async statement(query: StatementQueryDto, principal: AdminPrincipal): Promise<SignedBody> {
    const party = partyOf(query.party);
    const period = periodOf(query.from, query.to);
    await this.access.assertParty(principal, party);
    const rows = await this.options.queries.statement({ party, ...period });
    const totals = totalsOf(rows);
    const statementId = randomUUID();
    const claims = { party: partyText(party), from: period.from.toISOString(), to: period.to.toISOString() };
    const text =
      query.format === 'csv'
        ? statementCsv(rows, totals)
        : JSON.stringify({
            statementId,
            party: claims.party,
            period: { from: claims.from, to: claims.to },
            timeZone: VIETNAM_TIME_ZONE,
            generatedAt: (this.options.clock?.() ?? new Date()).toISOString(),
            rows,
            totals,
          });
    const body = Buffer.from(text, 'utf8');
    return {
      body,
      contentType: query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      signature: await signStatement(body, this.options.signer, claims),
      id: statementId,
    };
  }
}
