import { ErrorCode, LgspError } from '@lgsp/contracts';
import type { ProblemItem } from '@lgsp/contracts';
import type { ValidationError } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';

function itemsOf(errors: readonly ValidationError[], prefix = ''): ProblemItem[] {
  return errors.flatMap((e) => {
    const location = prefix ? `${prefix}.${e.property}` : e.property;
    return [
      ...Object.values(e.constraints ?? {}).map((message) => ({ location, message })),
      ...itemsOf(e.children ?? [], location),
    ];
  });
}

/** The global pipe: unknown fields refused, values converted, every violation listed with its location. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new LgspError(ErrorCode.ValidationFailed, 'The request has invalid fields', itemsOf(errors)),
  });
}
