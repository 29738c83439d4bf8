export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** A parsed form: a parameter given more than once holds every value, in order. */
export type FormFields = Readonly<Record<string, string | readonly string[]>>;

/**
 * application/x-www-form-urlencoded as the WHATWG URL standard parses it ('+' is a space, %XX
 * bytes decode as UTF-8, malformed escapes stay as written), into an object without a prototype
 * so that no name ('__proto__', 'constructor') is special.
 */
export function parseFormBody(text: string): FormFields {
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = fields[name];
    if (existing === undefined) fields[name] = value;
    else if (typeof existing === 'string') fields[name] = [existing, value];
    else existing.push(value);
  }
  return fields;
}

/** True when the Content-Type header names the form media type (parameters such as charset allowed). */
export function isFormContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase() === FORM_MEDIA_TYPE;
}
