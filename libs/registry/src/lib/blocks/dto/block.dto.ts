import { API_DOMAIN_PATTERN, API_VERSION_PATTERN } from '@lgsp/contracts';
import { BLOCK_SCOPES, type BlockScope } from '@lgsp/data';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';

export class CreateBlockDto {
  @ApiProperty({ enum: BLOCK_SCOPES, description: 'provider: all of a unit’s APIs; api-version; operation: one operation of a version.' })
  @IsIn(BLOCK_SCOPES)
  scope!: BlockScope;

  @ApiPropertyOptional({ description: 'With scope provider: the provider unit.' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{0,62}$/)
  provider?: string;

  @ApiPropertyOptional({ description: 'With scope api-version or operation.' })
  @IsOptional()
  @Matches(API_DOMAIN_PATTERN)
  api?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(API_VERSION_PATTERN)
  version?: string;

  @ApiPropertyOptional({ description: "With scope operation: method and path template, 'GET /persons/{id}'." })
  @IsOptional()
  @Matches(/^(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) \/\S*$/)
  operation?: string;

  @ApiProperty({ description: 'Why: callers read it in the 503 problem, and the audit trail keeps it.' })
  @IsString()
  @Length(1, 500)
  reason!: string;

  @ApiPropertyOptional({ description: 'Start of a maintenance window (default now).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @ApiPropertyOptional({ description: 'End of a maintenance window; absent: until lifted.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  endsAt?: string;
}
