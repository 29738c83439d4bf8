import type { AdminPrincipal } from '@lgsp/admin-auth';
import { ErrorCode, LgspError } from '@lgsp/contracts';
import { Inject, Injectable } from '@nestjs/common';

import type { ReconciliationQueryDto } from './dto/statement-query.dto';
import { LedgerAccessService } from './ledger-access.service';
import { LEDGER_API_OPTIONS, type LedgerApiModuleOptions } from './ledger-api-options.type';
import { partyOf, partyText, periodOf } from './ledger-period.util';
import { type PartyTransaction, type ReconciliationInput, reconciliationFromJson, transactionsFromCsv } from './reconciliation-input.util';
import { signStatement } from './statement-signature.util';
import type { SignedBody } from './statements.service';

interface PlatformTransaction {
  transactionId: string;
  status: number;
}

/** What a reconciliation answers (openapi/ledger.yaml, Reconciliation). */
export interface Reconciliation {
  party: string;
  period: { from: string; to: string };
  counts: { theirs: number; platform: number; matched: number };
  missingOnPlatform: PartyTransaction[];
  missingOnParty: { requestId: string; transactionId: string; status: number }[];
  statusMismatches: { requestId: string; transactionId: string; platformStatus: number; partyStatus: number }[];
  /** Request ids listed more than once on a side, with both sides' entries; left out of the three lists above. */
  duplicates: {
    party: { requestId: string; statuses: number[]; platform: PlatformTransaction[] }[];
    platform: { requestId: string; transactions: PlatformTransaction[]; partyStatuses: number[] }[];
  };
}

function byRequestId(a: { requestId: string }, b: { requestId: string }): number {
  return a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0;
}

@Injectable()
export class ReconciliationsService {
  constructor(
    @Inject(LEDGER_API_OPTIONS) private readonly options: LedgerApiModuleOptions,
    @Inject(LedgerAccessService) private readonly access: LedgerAccessService,
  ) {}

  async reconcile(contentType: string | undefined, body: unknown, query: ReconciliationQueryDto, principal: AdminPrincipal): Promise<SignedBody> {
    const input = this.inputOf(contentType, body, query);
    const party = partyOf(input.party);
    const period = periodOf(input.from, input.to);
    await this.access.assertParty(principal, party);

    const theirs = new Map<string, number[]>();
    for (const row of input.transactions) {
      const statuses = theirs.get(row.requestId);
      if (statuses === undefined) theirs.set(row.requestId, [row.status]);
      else statuses.push(row.status);
    }
    const platform = new Map<string, PlatformTransaction[]>();
    let platformCount = 0;
    for await (const row of this.options.queries.requestStatuses({ party, ...period })) {
      platformCount++;
      const requestId = row.requestId.toLowerCase();
      const entry = { transactionId: row.transactionId, status: row.status };
      const ours = platform.get(requestId);
      if (ours === undefined) platform.set(requestId, [entry]);
      else ours.push(entry);
    }

    const result: Reconciliation = {
      party: partyText(party),
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      counts: { theirs: input.transactions.length, platform: platformCount, matched: 0 },
      missingOnPlatform: [],
      missingOnParty: [],
      statusMismatches: [],
      duplicates: { party: [], platform: [] },
    };
    for (const [requestId, statuses] of theirs) {
      const ours = platform.get(requestId) ?? [];
      if (statuses.length > 1) result.duplicates.party.push({ requestId, statuses, platform: ours });
      if (ours.length > 1) result.duplicates.platform.push({ requestId, transactions: ours, partyStatuses: statuses });
      if (statuses.length > 1 || ours.length > 1) continue;
      if (ours.length === 0) result.missingOnPlatform.push({ requestId, status: statuses[0] });
      else if (ours[0].status !== statuses[0]) result.statusMismatches.push({ requestId, transactionId: ours[0].transactionId, platformStatus: ours[0].status, partyStatus: statuses[0] });
      else result.counts.matched++;
    }
    for (const [requestId, ours] of platform) {
      if (theirs.has(requestId)) continue;
      if (ours.length > 1) result.duplicates.platform.push({ requestId, transactions: ours, partyStatuses: [] });
      else result.missingOnParty.push({ requestId, transactionId: ours[0].transactionId, status: ours[0].status });
    }
    for (const list of [result.missingOnPlatform, result.missingOnParty, result.statusMismatches, result.duplicates.party, result.duplicates.platform]) list.sort(byRequestId);

    const claims = { party: result.party, from: result.period.from, to: result.period.to };
    const encoded = Buffer.from(JSON.stringify(result), 'utf8');
    return { body: encoded, contentType: 'application/json; charset=utf-8', signature: await signStatement(encoded, this.options.signer, claims) };
  }

  private inputOf(contentType: string | undefined, body: unknown, query: ReconciliationQueryDto): ReconciliationInput {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'text/csv') {
      const missing = (['party', 'from', 'to'] as const).filter((name) => query[name] === undefined);
      if (missing.length > 0) {
        throw new LgspError(ErrorCode.ValidationFailed, 'A CSV upload names party, from and to as query parameters', missing.map((name) => ({ location: name, message: 'is required' })));
      }
      return { party: query.party!, from: query.from!, to: query.to!, transactions: transactionsFromCsv(typeof body === 'string' ? body : '') };
    }
    if (type !== 'application/json') throw new LgspError(ErrorCode.UnsupportedMediaType, 'Send application/json or text/csv');
    if (query.party !== undefined || query.from !== undefined || query.to !== undefined) {
      throw new LgspError(ErrorCode.ValidationFailed, 'A JSON upload carries party, from and to in its body', [{ location: 'query', message: 'party, from and to belong in the body' }]);
    }
    return reconciliationFromJson(body);
  }
}
