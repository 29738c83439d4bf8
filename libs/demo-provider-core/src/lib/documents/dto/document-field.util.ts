import type { ApiPropertyOptions } from '@nestjs/swagger';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';

import { IsCalendarDate } from '../../common/calendar-date.util';
import { normaliseText } from '../../common/text.util';
import { ORGANISATION_ID_PATTERN } from '../../organisations/organisations.constant';
import type { DocumentInput } from '../document.type';
import { DOCUMENT_CLASSIFICATIONS, DOCUMENT_NUMBER_PATTERN, DOCUMENT_TYPES } from '../documents.constant';

interface FieldDefinition {
  readonly required: boolean;
  readonly api: ApiPropertyOptions & { description: string };
  /** Fresh decorators for each class that declares the field. */
  readonly rules: () => PropertyDecorator[];
}

const text = (): PropertyDecorator => Transform(({ value }) => normaliseText(value));

/** Every written field once: its description, example, constraints and validators. */
const FIELDS: Readonly<Record<keyof DocumentInput, FieldDefinition>> = {
  organisationId: {
    required: true,
    api: {
      description: 'Issuing organisation (cơ quan ban hành); must exist.',
      example: 'thanh-uy-ha-noi',
      pattern: ORGANISATION_ID_PATTERN.source,
    },
    rules: () => [IsString(), Matches(ORGANISATION_ID_PATTERN, { message: '$property must be a lower-case slug such as thanh-uy-ha-noi' })],
  },
  number: {
    required: true,
    api: {
      description: 'Document number and symbol (số ký hiệu), unique within its organisation.',
      example: '125-QĐ/TU',
      pattern: DOCUMENT_NUMBER_PATTERN.source,
      maxLength: 32,
    },
    rules: () => [
      text(),
      IsString(),
      MaxLength(32),
      Matches(DOCUMENT_NUMBER_PATTERN, { message: '$property must be a number and symbol such as 125-QĐ/TU' }),
    ],
  },
  title: {
    required: true,
    api: {
      description: 'Summary of the content (trích yếu nội dung).',
      example: 'Về việc thành lập Ban Chỉ đạo chuyển đổi số',
      minLength: 1,
      maxLength: 500,
    },
    rules: () => [text(), IsString(), MinLength(1), MaxLength(500)],
  },
  type: {
    required: true,
    api: { description: 'Kind of document (thể loại văn bản).', enum: DOCUMENT_TYPES, example: 'quyet-dinh' },
    rules: () => [IsIn(DOCUMENT_TYPES, { message: `$property must be one of ${DOCUMENT_TYPES.join(', ')}` })],
  },
  issuedAt: {
    required: true,
    api: { description: 'Date of issue (ngày ban hành), YYYY-MM-DD.', type: 'string', format: 'date', example: '2025-03-12' },
    rules: () => [IsCalendarDate()],
  },
  effectiveFrom: {
    required: false,
    api: {
      description: 'Date from which it takes effect (ngày hiệu lực), not before the date of issue.',
      type: 'string',
      format: 'date',
      example: '2025-04-01',
    },
    rules: () => [IsCalendarDate()],
  },
  signer: {
    required: true,
    api: { description: 'Full name of the person who signed (người ký).', example: 'Trần Minh Đức', minLength: 1, maxLength: 200 },
    rules: () => [text(), IsString(), MinLength(1), MaxLength(200)],
  },
  classification: {
    required: true,
    api: {
      description: 'Data classification: public (cong-khai) or internal (noi-bo).',
      enum: DOCUMENT_CLASSIFICATIONS,
      example: 'noi-bo',
    },
    rules: () => [IsIn(DOCUMENT_CLASSIFICATIONS, { message: `$property must be one of ${DOCUMENT_CLASSIFICATIONS.join(', ')}` })],
  },
  recipients: {
    required: false,
    api: {
      description: 'Recipients (nơi nhận), in the order printed on the document.',
      type: [String],
      maxItems: 50,
      example: ['Các đồng chí Thành ủy viên', 'Lưu Văn phòng Thành ủy'],
    },
    rules: () => [
      Transform(({ value }) => (Array.isArray(value) ? value.map(normaliseText) : value)),
      IsArray(),
      ArrayMaxSize(50),
      IsString({ each: true }),
      MinLength(1, { each: true }),
      MaxLength(200, { each: true }),
    ],
  },
};

/**
 * `input`: POST and PUT bodies. `patch`: a JSON merge patch (RFC 7396), where every field may be
 * left out, null removes an optional field, and null on a required field is refused. `output`: the
 * served document, described only.
 */
export type FieldMode = 'input' | 'patch' | 'output';

export function DocumentField(name: keyof DocumentInput, mode: FieldMode): PropertyDecorator {
  const { required, api, rules } = FIELDS[name];
  const describe = (options: { required: boolean; nullable?: boolean }): PropertyDecorator =>
    ApiProperty({ ...api, ...options } as ApiPropertyOptions);
  if (mode === 'output') return describe({ required });
  if (mode === 'input') return applyAll(describe({ required }), ...(required ? [] : [IsOptional()]), ...rules());
  const presence = required
    ? [
        ValidateIf((_object: object, value: unknown) => value !== undefined),
        IsDefined({ message: '$property is required and cannot be removed' }),
      ]
    : [IsOptional()];
  return applyAll(describe({ required: false, nullable: !required }), ...presence, ...rules());
}

function applyAll(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorate) => decorate(target, key));
}
