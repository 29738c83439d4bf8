import type { AdminPrincipal } from '@lgsp/admin-auth';
import { ErrorCode, LgspError } from '@lgsp/contracts';
import { consumerSystems } from '@lgsp/data';
import { Inject, Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';

import type { LedgerScope, StatementParty } from '../store/ledger-store.type';
import { LEDGER_API_OPTIONS, type LedgerApiModuleOptions } from './ledger-api-options.type';

/**
 * What an admin may see of the ledger: the SOC and the DGO everything; a provider admin the
 * transactions of its unit's APIs (provider id = its organisation); a consumer admin those of its
 * unit's consumer systems. The consumer systems are read at each call: a system moved to another
 * unit leaves its old unit's view at once.
 */
@Injectable()
export class LedgerAccessService {
  constructor(@Inject(LEDGER_API_OPTIONS) private readonly options: LedgerApiModuleOptions) {}

  /** undefined: everything. */
  async scopeOf(principal: AdminPrincipal): Promise<LedgerScope | undefined> {
    if (principal.roles.includes('soc-analyst') || principal.roles.includes('dgo-admin')) return undefined;
    const organisation = principal.organisation;
    if (organisation === undefined) return {};
    return {
      providerIds: principal.roles.includes('provider') ? [organisation] : [],
      consumerIds: principal.roles.includes('consumer') ? await this.consumerSystemsOf(organisation) : [],
    };
  }

  /** Refuses (403) a party the principal does not act for. */
  async assertParty(principal: AdminPrincipal, party: StatementParty): Promise<void> {
    const scope = await this.scopeOf(principal);
    if (scope === undefined) return;
    const allowed = party.kind === 'provider' ? (scope.providerIds ?? []).includes(party.id) : (scope.consumerIds ?? []).includes(party.id);
    if (!allowed) throw new LgspError(ErrorCode.Forbidden, `You may only see the statements of your own unit's ${party.kind === 'provider' ? 'APIs' : 'consumer systems'}`);
  }

  private async consumerSystemsOf(organisation: string): Promise<string[]> {
    const rows = await this.options.database.db.select({ id: consumerSystems.id }).from(consumerSystems).where(eq(consumerSystems.organisation, organisation));
    return rows.map((row) => row.id);
  }
}
