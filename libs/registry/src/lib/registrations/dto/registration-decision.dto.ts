import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsISO8601, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';

export class ApproveRegistrationDto {
  @ApiProperty({ description: 'Id of the consumer system to create: the `sub` of its tokens.', example: 'tu-ha-noi.qlcb' })
  @Matches(/^[a-z0-9](?:[a-z0-9.-]{0,126}[a-z0-9])?$/, { message: 'consumerId must be lower-case letters, digits, dots and hyphens (e.g. tu-ha-noi.qlcb)' })
  consumerId!: string;

  @ApiPropertyOptional({ description: "The unit's code, when the form did not carry one." })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{0,62}$/)
  organisation?: string;

  @ApiPropertyOptional({ description: 'Whether the requested rates above the defaults are granted (default false).' })
  @IsOptional()
  @IsBoolean()
  grantLimits?: boolean;

  @ApiPropertyOptional({ description: 'Note for the unit.' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  note?: string;
}

export class RejectRegistrationDto {
  @ApiProperty({ description: 'Why the registration is refused; the unit reads it.' })
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

/** Mẫu 02: the confidentiality commitment, signed. */
export class ConfidentialityCommitmentDto {
  @ApiProperty({ description: 'Người ký: the signer’s full name.' })
  @IsString()
  @Length(1, 200)
  signer!: string;

  @ApiProperty({ description: 'Chức vụ: the signer’s position.' })
  @IsString()
  @Length(1, 200)
  position!: string;

  @ApiProperty({ description: 'Số CCCD: citizen identity number, 12 digits.' })
  @Matches(/^[0-9]{12}$/, { message: 'citizenId must be the 12 digits of a citizen identity card' })
  citizenId!: string;

  @ApiProperty({ description: 'Ngày cấp: issue date, YYYY-MM-DD.' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'citizenIdIssuedOn must be a date YYYY-MM-DD' })
  citizenIdIssuedOn!: string;

  @ApiProperty({ description: 'Nơi cấp: issuing authority.' })
  @IsString()
  @Length(1, 300)
  citizenIdIssuedBy!: string;

  @ApiProperty({ description: 'Reference of the signed document (its number or archive id).' })
  @IsString()
  @Length(1, 300)
  documentReference!: string;
}

export class ProductionRequestDto {
  @ApiProperty({ description: 'Reference of the security attestation (biên bản đánh giá an toàn thông tin).' })
  @IsString()
  @Length(1, 300)
  securityAttestation!: string;

  @ApiProperty({ type: ConfidentialityCommitmentDto })
  @ValidateNested()
  @Type(() => ConfidentialityCommitmentDto)
  commitment!: ConfidentialityCommitmentDto;
}
