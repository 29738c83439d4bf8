import type { ValidationOptions } from 'class-validator';
import { ValidateBy, buildMessage } from 'class-validator';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real day written as RFC 3339 full-date (OpenAPI `format: date`): `2025-02-29` is refused. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !CALENDAR_DATE.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => isCalendarDate(value),
        defaultMessage: buildMessage((each) => `${each}$property must be a date written YYYY-MM-DD`, options),
      },
    },
    options,
  );
}

/** A date not before the date in another property of the same object (when both are set). */
export function IsNotBeforeDate(property: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotBeforeDate',
      constraints: [property],
      validator: {
        validate: (value: unknown, args) => {
          const other = (args?.object as Record<string, unknown> | undefined)?.[property];
          return !isCalendarDate(value) || !isCalendarDate(other) || value >= other;
        },
        defaultMessage: buildMessage((each) => `${each}$property must not be before $constraint1`, options),
      },
    },
    options,
  );
}
