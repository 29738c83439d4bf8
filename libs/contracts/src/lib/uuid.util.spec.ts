import { randomUUID } from 'node:crypto';

import { v7 } from 'uuid';

import { isUuidV4 } from './uuid.util';

describe('isUuidV4', () => {
  it('accepts canonical v4 UUIDs in either case', () => {
    const id = randomUUID();
    expect(isUuidV4(id)).toBe(true);
    expect(isUuidV4(id.toUpperCase())).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a v7 UUID', v7()],
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['no hyphens', '3b241101e2bb42558caf4136c566a962'],
    ['braces', '{3b241101-e2bb-4255-8caf-4136c566a962}'],
    ['wrong variant', '3b241101-e2bb-4255-7caf-4136c566a962'],
    ['trailing newline', '3b241101-e2bb-4255-8caf-4136c566a962\n'],
  ])('refuses %s', (_name, value) => {
    expect(isUuidV4(value)).toBe(false);
  });
});
