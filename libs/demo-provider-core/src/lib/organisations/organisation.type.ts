import type { ORGANISATION_LEVELS } from './organisations.constant';

export type OrganisationLevel = (typeof ORGANISATION_LEVELS)[number];

/** A Party organisation that issues documents. */
export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly abbreviation: string;
  readonly level: OrganisationLevel;
  readonly address: string;
}
