import { ADMIN_ROLES, type AdminRole } from '@lgsp/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';

export class CreateAdminClientDto {
  @ApiPropertyOptional({ description: 'The client id; generated when absent.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._~-]{1,128}$/)
  clientId?: string;

  @ApiProperty({ description: 'Who uses it (a person or a team).' })
  @IsString()
  @Length(1, 300)
  name!: string;

  @ApiProperty({ enum: ADMIN_ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ADMIN_ROLES, { each: true })
  roles!: AdminRole[];

  @ApiPropertyOptional({ description: 'The unit it acts for; required with the provider or consumer role.' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{0,62}$/)
  organisation?: string;
}
