import { API_DOMAIN_PATTERN, API_VERSION_PATTERN, CLASSIFICATIONS, type Classification } from '@lgsp/contracts';
import { API_KINDS, type ApiKind } from '@lgsp/data';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, IsUrl, Length, Matches, Max, Min, ValidateNested } from 'class-validator';

const UPSTREAM_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

export class UpstreamsDto {
  @ApiProperty({ description: 'Base URL of the provider service for sandbox calls.' })
  @IsUrl(UPSTREAM_URL)
  sandbox!: string;

  @ApiProperty({ description: 'Base URL of the provider service for production calls.' })
  @IsUrl(UPSTREAM_URL)
  production!: string;
}

export class RegisterApiVersionDto {
  @ApiProperty({ description: 'v1, v2, …', example: 'v1' })
  @Matches(API_VERSION_PATTERN)
  version!: string;

  @ApiPropertyOptional({ description: 'The API’s name, when it is new.' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  name?: string;

  @ApiPropertyOptional({ description: 'The provider unit (dgo-admin only; a provider admin always registers for its own unit).' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{0,62}$/)
  provider?: string;

  @ApiPropertyOptional({ enum: API_KINDS, default: 'rest' })
  @IsOptional()
  @IsIn(API_KINDS)
  kind?: ApiKind;

  @ApiPropertyOptional({ description: 'REST: the OpenAPI 3.0 document (JSON).' })
  @IsOptional()
  @IsObject()
  openapi?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'SOAP: where the WSDL is published.' })
  @IsOptional()
  @IsUrl(UPSTREAM_URL)
  wsdlUrl?: string;

  @ApiPropertyOptional({ description: 'SOAP: the SOAPAction values that only read; every other action counts as a write.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  soapReadActions?: string[];

  @ApiProperty({ type: UpstreamsDto })
  @ValidateNested()
  @Type(() => UpstreamsDto)
  upstreams!: UpstreamsDto;

  @ApiProperty({ description: 'Classification of operations without x-lgsp-classification (tuyet-mat is refused).', enum: CLASSIFICATIONS })
  @IsIn(CLASSIFICATIONS)
  classification!: Classification;

  @ApiPropertyOptional({ description: 'Upstream timeout for reads, ms (default 2000).' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  readTimeoutMs?: number;

  @ApiPropertyOptional({ description: 'Upstream timeout for writes, ms (default 10000).' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  writeTimeoutMs?: number;
}

export class UpdateOpenApiDto {
  @ApiProperty({ description: 'The new OpenAPI 3.0 document; a published version accepts only compatible changes.' })
  @IsObject()
  openapi!: Record<string, unknown>;
}

export class LifecycleDto {
  @ApiProperty({ enum: ['published', 'deprecated', 'retired'] })
  @IsIn(['published', 'deprecated', 'retired'])
  status!: 'published' | 'deprecated' | 'retired';

  @ApiPropertyOptional({ description: 'With deprecated: the sunset date (YYYY-MM-DD), at least 60 days ahead.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  sunset?: string;
}

export class ApiPathParams {
  @Matches(API_DOMAIN_PATTERN)
  domain!: string;
}

export class ApiVersionPathParams extends ApiPathParams {
  @Matches(API_VERSION_PATTERN)
  version!: string;
}
