import { API_DOMAIN_PATTERN, API_VERSION_PATTERN, ENVIRONMENTS, type Environment } from '@lgsp/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export class ReasonDto {
  @ApiProperty({ description: 'Why: kept in the audit trail.' })
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

export class SubscriptionDto {
  @ApiProperty({ example: 'documents' })
  @Matches(API_DOMAIN_PATTERN)
  api!: string;

  @ApiProperty({ example: 'v1' })
  @Matches(API_VERSION_PATTERN)
  version!: string;

  @ApiPropertyOptional({ description: 'Environments (default both).', enum: ENVIRONMENTS, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(ENVIRONMENTS, { each: true })
  environments?: Environment[];
}

export class RateLimitDto {
  @ApiPropertyOptional({ description: 'Only for this API (with version); absent: the consumer’s default for every API.' })
  @IsOptional()
  @Matches(API_DOMAIN_PATTERN)
  api?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(API_VERSION_PATTERN)
  version?: string;

  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  readPerMinute!: number;

  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  writePerMinute!: number;

  @ApiProperty({ description: 'Why the DGO grants it.' })
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

export class CertificateDto {
  @ApiProperty({ description: 'The RFC 9421 keyid the consumer signs with.', example: 'tu-ha-noi-2026' })
  @Matches(/^[A-Za-z0-9._~-]{1,128}$/)
  id!: string;

  @ApiProperty({ description: 'X.509 certificate in PEM, optionally followed by its intermediate CA certificates.' })
  @IsString()
  @Length(1, 65536)
  pem!: string;
}
