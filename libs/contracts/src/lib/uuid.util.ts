const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** True for an RFC 9562 version 4 UUID in its canonical 36-character form (either case). */
export function isUuidV4(value: string | undefined): value is string {
  return value !== undefined && value.length === 36 && UUID_V4.test(value);
}
