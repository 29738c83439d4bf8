import { registerDecorator } from 'class-validator';
import type { ValidationArguments } from 'class-validator';

import { parseAddressList } from './address-range.util';

/** A comma-separated list of IP addresses and CIDR blocks, IPv4 or IPv6; the message names the bad entries. */
export function IsAddressList(): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isAddressList',
      target: target.constructor,
      propertyName: String(propertyKey),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseAddressList(value).invalid.length === 0,
        defaultMessage: (args?: ValidationArguments) => {
          const invalid = typeof args?.value === 'string' ? parseAddressList(args.value).invalid : [];
          const named = invalid.length === 0 ? '' : ` (not: ${invalid.join(', ')})`;
          return `must be IP addresses or CIDR blocks (192.0.2.0/24, 2001:db8::/32) separated by commas${named}`;
        },
      },
    });
}
