import { SECURITY_EVENTS } from '@lgsp/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsIP, IsISO8601, IsOptional, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

export const SECURITY_EVENT_FILTERS = ['true', ...SECURITY_EVENTS] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export class SearchTransactionsQueryDto {
  @ApiProperty({ description: 'Start of the period (ISO-8601 date-time, inclusive).' })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({ description: 'End of the period (ISO-8601 date-time, exclusive); at most 31 days after from.' })
  @IsISO8601({ strict: true })
  to!: string;

  @ApiPropertyOptional({ description: 'Consumer system id.' })
  @IsOptional()
  @Matches(NAME)
  consumer?: string;

  @ApiPropertyOptional({ description: 'Provider unit id.' })
  @IsOptional()
  @Matches(NAME)
  provider?: string;

  @ApiPropertyOptional({ description: 'API domain.' })
  @IsOptional()
  @Matches(NAME)
  api?: string;

  @ApiPropertyOptional({ description: 'API version (v1, v2, ...).' })
  @IsOptional()
  @Matches(NAME)
  version?: string;

  @ApiPropertyOptional({ description: 'An exact HTTP status (404) or a class (4xx).' })
  @IsOptional()
  @Matches(/^[1-5]([0-9]{2}|xx)$/)
  status?: string;

  @ApiPropertyOptional({ description: 'The problem code of a refusal (rate_limited, ...).' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,63}$/)
  errorCode?: string;

  @ApiPropertyOptional({ description: "The client's IP address." })
  @IsOptional()
  @IsIP()
  clientIp?: string;

  @ApiPropertyOptional({ description: 'The X-Request-ID the consumer sent.' })
  @IsOptional()
  @IsUUID()
  requestId?: string;

  @ApiPropertyOptional({ description: "The platform's transaction id." })
  @IsOptional()
  @IsUUID()
  transactionId?: string;

  @ApiPropertyOptional({ enum: SECURITY_EVENT_FILTERS, description: 'true: every security event; a name: that kind only.' })
  @IsOptional()
  @IsIn(SECURITY_EVENT_FILTERS)
  securityEvent?: string;

  @ApiPropertyOptional({ description: 'Page size, 1..1000 (default 100).', default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  size?: number;

  @ApiPropertyOptional({ description: 'The `next` of the previous page.' })
  @IsOptional()
  @MaxLength(400)
  cursor?: string;
}
