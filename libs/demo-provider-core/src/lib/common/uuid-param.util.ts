import { ErrorCode, LgspError } from '@lgsp/contracts';
import { ParseUUIDPipe } from '@nestjs/common';

/** A path parameter that must be a UUID v4; anything else is a 400 naming the parameter. */
export function uuidParam(location: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    version: '4',
    exceptionFactory: () =>
      new LgspError(ErrorCode.ValidationFailed, `The path parameter ${location} is not a UUID v4`, [
        { location, message: `${location} must be a UUID v4` },
      ]),
  });
}
