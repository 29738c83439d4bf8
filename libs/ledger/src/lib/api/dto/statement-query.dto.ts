import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';

import { PARTY_PATTERN } from '../ledger-period.util';

export const STATEMENT_FORMATS = ['json', 'csv'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export class StatementQueryDto {
  @ApiProperty({ description: 'consumer:<consumer system id> or provider:<provider unit id>.' })
  @Matches(PARTY_PATTERN)
  party!: string;

  @ApiProperty({ description: 'Start of the period (ISO-8601 date-time, inclusive).' })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({ description: 'End of the period (ISO-8601 date-time, exclusive); at most 31 days after from.' })
  @IsISO8601({ strict: true })
  to!: string;

  @ApiPropertyOptional({ enum: STATEMENT_FORMATS, default: 'json', description: 'json (default) or csv.' })
  @IsOptional()
  @IsIn(STATEMENT_FORMATS)
  format?: StatementFormat;
}

/** The period and party of a CSV upload (a JSON upload carries them in its body). */
export class ReconciliationQueryDto {
  @ApiPropertyOptional({ description: 'consumer:<id> or provider:<id> (CSV uploads).' })
  @IsOptional()
  @Matches(PARTY_PATTERN)
  party?: string;

  @ApiPropertyOptional({ description: 'Start of the period (CSV uploads).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'End of the period, exclusive (CSV uploads).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
