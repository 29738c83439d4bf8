import { Admin, type AdminPrincipal, Principal } from '@lgsp/admin-auth';
import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import type { ChainedDocument } from '../chain/hash-chain.util';
import type { LedgerSearchPage } from '../store/ledger-store.type';
import { SearchTransactionsQueryDto } from './dto/search-transactions.dto';
import { TransactionsService } from './transactions.service';

@ApiTags('ledger')
@Controller('admin/v1/ledger/transactions')
export class TransactionsController {
  constructor(@Inject(TransactionsService) private readonly transactions: TransactionsService) {}

  @Get()
  @Admin('soc-analyst', 'dgo-admin', 'provider', 'consumer')
  search(@Query() query: SearchTransactionsQueryDto, @Principal() principal: AdminPrincipal): Promise<LedgerSearchPage> {
    return this.transactions.search(query, principal);
  }

  @Get(':transactionId')
  @Admin('soc-analyst', 'dgo-admin', 'provider', 'consumer')
  get(@Param('transactionId', new ParseUUIDPipe()) transactionId: string, @Principal() principal: AdminPrincipal): Promise<ChainedDocument> {
    return this.transactions.get(transactionId, principal);
  }
}
