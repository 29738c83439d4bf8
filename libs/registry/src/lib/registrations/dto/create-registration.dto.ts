import { API_DOMAIN_PATTERN, API_VERSION_PATTERN, CLASSIFICATIONS, type Classification } from '@lgsp/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export class OrganisationDto {
  @ApiPropertyOptional({ description: "The unit's code in the registry, when it has one (e.g. tu-ha-noi); the DGO assigns one otherwise." })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{0,62}$/)
  id?: string;

  @ApiProperty({ description: 'Tên cơ quan, đơn vị: the organisation’s name.' })
  @IsString()
  @Length(1, 300)
  name!: string;

  @ApiProperty({ description: 'Địa chỉ: postal address.' })
  @IsString()
  @Length(1, 500)
  address!: string;
}

export class RepresentativeDto {
  @ApiProperty({ description: 'Người đại diện: full name.' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ description: 'Chức vụ: position.' })
  @IsString()
  @Length(1, 200)
  position!: string;
}

export class TechnicalContactDto {
  @ApiProperty({ description: 'Cán bộ kỹ thuật đầu mối: full name.' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ description: 'Phone number, digits with an optional leading +.', example: '+84912345678' })
  @Matches(/^\+?[0-9][0-9 .-]{6,19}$/, { message: 'phone must be a phone number (digits, spaces, dots or hyphens, optional leading +)' })
  phone!: string;

  @ApiProperty({ description: 'E-mail address.' })
  @IsEmail()
  email!: string;
}

export class SystemDto {
  @ApiProperty({ description: 'Tên hệ thống: the consumer system’s name.' })
  @IsString()
  @Length(1, 300)
  name!: string;

  @ApiProperty({ description: 'Lĩnh vực nghiệp vụ: its business domain.' })
  @IsString()
  @Length(1, 300)
  businessDomain!: string;
}

export class SecurityDto {
  @ApiProperty({ description: 'Cấp độ an toàn hệ thống thông tin, 1 to 5 (Decree 85/2016/NĐ-CP).', minimum: 1, maximum: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  level!: number;

  @ApiProperty({ description: 'Number of the decision approving that level.' })
  @IsString()
  @Length(1, 200)
  approvalDocument!: string;
}

export const DATA_METHODS = ['api', 'sync'] as const;

export class DataRequestDto {
  @ApiProperty({ description: 'The API (its domain) whose data is requested.', example: 'documents' })
  @Matches(API_DOMAIN_PATTERN)
  api!: string;

  @ApiProperty({ description: 'Its version.', example: 'v1' })
  @Matches(API_VERSION_PATTERN)
  version!: string;

  @ApiProperty({ description: 'Classification of the data (Tuyệt mật is refused).', enum: CLASSIFICATIONS })
  @IsIn(CLASSIFICATIONS)
  classification!: Classification;

  @ApiProperty({ description: 'How often it is needed (tần suất), e.g. "realtime", "daily", "200 calls/day".' })
  @IsString()
  @Length(1, 200)
  frequency!: string;

  @ApiProperty({ description: 'Phương thức: api (on demand) or sync (synchronisation).', enum: DATA_METHODS })
  @IsIn(DATA_METHODS)
  method!: (typeof DATA_METHODS)[number];

  @ApiProperty({ description: 'Expected start date, YYYY-MM-DD.' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'expectedStart must be a date YYYY-MM-DD' })
  expectedStart!: string;

  @ApiProperty({ description: 'Mục đích sử dụng: why the data is needed.' })
  @IsString()
  @Length(1, 2000)
  purpose!: string;
}

export class RequestedLimitsDto {
  @ApiPropertyOptional({ description: 'Reads per minute wanted, when above the default.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  readPerMinute?: number;

  @ApiPropertyOptional({ description: 'Writes per minute wanted, when above the default.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  writePerMinute?: number;

  @ApiPropertyOptional({ description: 'Why: required when a rate is above the default.' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  reason?: string;
}

/** Mẫu 01: the connection registration form of the governing guidance. */
export class CreateRegistrationDto {
  @ApiProperty({ type: OrganisationDto })
  @ValidateNested()
  @Type(() => OrganisationDto)
  organisation!: OrganisationDto;

  @ApiProperty({ type: RepresentativeDto })
  @ValidateNested()
  @Type(() => RepresentativeDto)
  representative!: RepresentativeDto;

  @ApiProperty({ type: TechnicalContactDto })
  @ValidateNested()
  @Type(() => TechnicalContactDto)
  technicalContact!: TechnicalContactDto;

  @ApiProperty({ type: SystemDto })
  @ValidateNested()
  @Type(() => SystemDto)
  system!: SystemDto;

  @ApiProperty({ type: SecurityDto })
  @ValidateNested()
  @Type(() => SecurityDto)
  security!: SecurityDto;

  @ApiProperty({ description: 'Highest classification of data the system will handle.', enum: CLASSIFICATIONS })
  @IsIn(CLASSIFICATIONS)
  maxClassification!: Classification;

  @ApiProperty({ description: '1: Party wide-area network; 2: TSLCD network via NDXP/VDXP/NDOP.', enum: [1, 2] })
  @IsIn([1, 2])
  connectionOption!: 1 | 2;

  @ApiProperty({ type: [DataRequestDto], description: 'The data requested, one row per API.' })
  @ValidateNested({ each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Type(() => DataRequestDto)
  data!: DataRequestDto[];

  @ApiPropertyOptional({ type: RequestedLimitsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RequestedLimitsDto)
  limits?: RequestedLimitsDto;
}
