import { Injectable } from '@nestjs/common';

import type { Page, PageRequest } from '../common/page.type';
import { paginate } from '../common/pagination.util';
import { matchesQuery } from '../common/text.util';
import { OrganisationError } from './errors/organisation.error';
import type { Organisation } from './organisation.type';
import { SEED_ORGANISATIONS } from './organisations.constant';

export interface OrganisationQuery extends PageRequest {
  readonly q?: string;
}

/** The directory of organisations: read-only, seeded at construction. */
@Injectable()
export class OrganisationsService {
  private readonly organisations: ReadonlyMap<string, Organisation>;
  private readonly sorted: readonly Organisation[];

  constructor() {
    this.organisations = new Map(SEED_ORGANISATIONS.map((o) => [o.id, o]));
    this.sorted = [...SEED_ORGANISATIONS].sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  }

  list(query: OrganisationQuery): Page<Organisation> {
    return paginate(
      this.sorted.filter((o) => matchesQuery(query.q, o.name, o.abbreviation)),
      query,
    );
  }

  get(id: string): Organisation {
    const organisation = this.organisations.get(id);
    if (organisation === undefined) throw OrganisationError.notFound(id);
    return organisation;
  }

  exists(id: string): boolean {
    return this.organisations.has(id);
  }
}
