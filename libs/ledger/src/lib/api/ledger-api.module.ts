import { adminAuthProviders } from '@lgsp/admin-auth';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';

import { LedgerAccessService } from './ledger-access.service';
import { LEDGER_API_OPTIONS, type LedgerApiModuleOptions } from './ledger-api-options.type';
import { LedgerBodyParsers } from './ledger-body.parsers';
import { ReconciliationsService } from './reconciliations.service';
import { StatementsController } from './statements.controller';
import { StatementsService } from './statements.service';
import { TransactionsController } from './transactions.controller';
import { TransactionsService } from './transactions.service';

/**
 * The SOC search and reconciliation API under /admin/v1/ledger/, on an admin listener (the ledger's
 * own, or the admin listener of `npm start`), with the registry's admin authentication.
 */
@Module({})
export class LedgerApiModule {
  static forRoot(options: LedgerApiModuleOptions): DynamicModule {
    return {
      module: LedgerApiModule,
      controllers: [TransactionsController, StatementsController],
      providers: [
        { provide: LEDGER_API_OPTIONS, useValue: options },
        ...adminAuthProviders(() => ({ database: options.database, publicUrl: options.publicUrl, changes: options.changes })),
        LedgerBodyParsers,
        LedgerAccessService,
        TransactionsService,
        StatementsService,
        ReconciliationsService,
      ],
    };
  }
}
