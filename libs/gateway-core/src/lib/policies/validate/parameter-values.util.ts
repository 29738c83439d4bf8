export type PrimitiveType = 'integer' | 'number' | 'boolean' | 'string';

/** How a parameter's text is read before its schema judges it. */
export type ValueShape =
  | { readonly kind: 'scalar'; readonly type: PrimitiveType | undefined }
  /** `separator` undefined: one value per occurrence of the key (form, explode: true). */
  | {
      readonly kind: 'array';
      readonly itemType: PrimitiveType | undefined;
      readonly separator: string | undefined;
      /** Header lists (RFC 9110 §5.6.1) allow whitespace around their commas. */
      readonly trim: boolean;
    };

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A parameter's text as the type its schema declares, when it is written as one: '12' → 12,
 * 'true' → true. Anything else stays text, so that the schema refuses it with its own message
 * ('must be integer') — the gateway never guesses ('0x10', ' 12' and '1e' stay strings).
 */
export function coerce(text: string, type: PrimitiveType | undefined): unknown {
  switch (type) {
    case 'integer':
      return INTEGER.test(text) ? Number(text) : text;
    case 'number':
      return NUMBER.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    default:
      return text;
  }
}

/** The value handed to the schema: a scalar, or the items of an array split and coerced one by one. */
export function valueOf(texts: readonly string[], shape: ValueShape): unknown {
  if (shape.kind === 'scalar') return coerce(texts[0], shape.type);
  const items: unknown[] = [];
  for (const text of texts) {
    if (shape.separator === undefined) items.push(coerce(text, shape.itemType));
    else if (text !== '') for (const part of text.split(shape.separator)) items.push(coerce(shape.trim ? part.trim() : part, shape.itemType));
  }
  return items;
}

function decodeFormComponent(text: string): string {
  const plain = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!plain.includes('%')) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    // Not valid percent-encoding: the schema judges it as sent.
    return plain;
  }
}

/**
 * The values of the wanted keys in a query string ('?a=1&b=2&b=3' → a: ['1'], b: ['2', '3']),
 * form-decoded; the values of keys the operation does not declare are skipped.
 */
export function queryValues(query: string, wanted: ReadonlySet<string>): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let start = query.charCodeAt(0) === 63 ? 1 : 0;
  while (start < query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (end > start) {
      const equals = query.indexOf('=', start);
      const hasValue = equals !== -1 && equals < end;
      const name = decodeFormComponent(query.slice(start, hasValue ? equals : end));
      if (wanted.has(name)) {
        const value = hasValue ? decodeFormComponent(query.slice(equals + 1, end)) : '';
        const values = found.get(name);
        if (values === undefined) found.set(name, [value]);
        else values.push(value);
      }
    }
    start = end + 1;
  }
  return found;
}
