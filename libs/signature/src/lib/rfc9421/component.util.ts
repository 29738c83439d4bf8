import {
  type BareItem,
  type Dictionary,
  type InnerList,
  type Item,
  parseDictionary,
  parseItem,
  parseList,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
  serializeList,
} from 'structured-headers';

import { type HttpMessage, isResponseMessage, type RequestMessage } from './http-message.type';
import { SignatureBaseError, SignatureSyntaxError } from './signature.error';

/**
 * A covered component: a lower-case field name or a derived component (`@method`, ...) with its
 * parameters in the order they are serialised (`"signature";req;key="sig1"`).
 */
export interface ComponentId {
  readonly name: string;
  readonly params?: Readonly<Record<string, string | true>>;
}

/** The derived components of RFC 9421 §2.2 (`@signature-params` is never a covered component). */
export const DERIVED_COMPONENTS = [
  '@method',
  '@target-uri',
  '@authority',
  '@scheme',
  '@request-target',
  '@path',
  '@query',
  '@query-param',
  '@status',
] as const;

const DERIVED: ReadonlySet<string> = new Set(DERIVED_COMPONENTS);
const FIELD_PARAMS: ReadonlySet<string> = new Set(['sf', 'key', 'bs', 'req', 'tr']);
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// A component value goes into one line of the base: printable ASCII and tab, nothing that could
// start a line of its own.
const BASE_SAFE = /^[\t\x20-\x7e]*$/;

type StructuredType = 'dictionary' | 'list' | 'item';

/**
 * Structured fields whose type is known (RFC 9651 fields and those of RFC 9421 and RFC 9530). Others
 * are tried as a dictionary, then a list, then an item.
 */
const STRUCTURED_FIELDS: Readonly<Record<string, StructuredType>> = {
  signature: 'dictionary',
  'signature-input': 'dictionary',
  'x-signature': 'dictionary',
  'x-signature-input': 'dictionary',
  'accept-signature': 'dictionary',
  'content-digest': 'dictionary',
  'repr-digest': 'dictionary',
  'want-content-digest': 'dictionary',
  'want-repr-digest': 'dictionary',
  priority: 'dictionary',
  'cdn-cache-control': 'dictionary',
  'cache-status': 'list',
  'proxy-status': 'list',
  'accept-ch': 'list',
  'client-cert': 'item',
  'client-cert-chain': 'list',
};

/**
 * A component identifier from its structured-field form (`"@query-param";name="Pet"`), the same
 * without the quotes (`@query-param;name="Pet"`), or a bare name (`content-digest`).
 */
export function componentId(input: string | ComponentId): ComponentId {
  if (typeof input !== 'string') return input;
  const text = input.startsWith('"') ? input : `"${input.slice(0, indexOrEnd(input, ';'))}"${input.slice(indexOrEnd(input, ';'))}`;
  let item: Item;
  try {
    item = parseItem(text);
  } catch (error) {
    throw new SignatureSyntaxError(`The component identifier ${input} is not a structured-field string`, { cause: error });
  }
  return componentFromItem(item);
}

/** A component identifier from a parsed structured-field item (a member of an inner list). */
export function componentFromItem([name, parameters]: Item): ComponentId {
  if (typeof name !== 'string') throw new SignatureSyntaxError('A component identifier must be a structured-field string');
  const params: Record<string, string | true> = {};
  for (const [key, value] of parameters) {
    if (value === true || typeof value === 'string') params[key] = value;
    else throw new SignatureSyntaxError(`The parameter ${key} of the component "${name}" must be a string or a flag`);
  }
  return Object.keys(params).length === 0 ? { name } : { name, params };
}

export function componentToItem(component: ComponentId): Item {
  return [component.name, new Map<string, BareItem>(Object.entries(component.params ?? {}))];
}

/** The identifier as it appears in the signature base and in Signature-Input: `"@query-param";name="Pet"`. */
export function serializeComponentId(component: ComponentId): string {
  return serializeItem(componentToItem(component));
}

/**
 * The value of one covered component (RFC 9421 §2.1 and §2.2). Throws a SignatureBaseError when the
 * message lacks the component or the identifier is not one this implementation can produce.
 */
export function componentValue(message: HttpMessage, component: ComponentId): string {
  const params = component.params ?? {};
  let source: HttpMessage = message;
  if (params['req'] !== undefined) {
    if (params['req'] !== true) throw invalid(component, 'the req parameter is a flag');
    if (!isResponseMessage(message)) throw invalid(component, 'req only applies to a response');
    if (message.request === undefined) throw missing(component, 'the request of this response is not available');
    source = message.request;
  }
  const value = component.name.startsWith('@') ? derivedValue(source, component) : fieldValue(source, component);
  if (!BASE_SAFE.test(value)) throw invalid(component, 'its value holds characters other than printable ASCII (cover it with ;bs)');
  return value;
}

function derivedValue(message: HttpMessage, component: ComponentId): string {
  const { name } = component;
  if (!DERIVED.has(name)) throw invalid(component, `${name} is not a derived component of RFC 9421`);
  const params = Object.keys(component.params ?? {}).filter((key) => key !== 'req');
  const allowed = name === '@query-param' ? ['name'] : [];
  const stray = params.find((key) => !allowed.includes(key));
  if (stray !== undefined) throw invalid(component, `the parameter ${stray} does not apply to ${name}`);

  if (name === '@status') {
    if (!isResponseMessage(message)) throw invalid(component, '@status only applies to a response');
    if (!Number.isInteger(message.status) || message.status < 100 || message.status > 999) {
      throw invalid(component, `the status ${message.status} is not a three-digit code`);
    }
    return String(message.status);
  }
  if (isResponseMessage(message)) throw invalid(component, `${name} is a request component: cover it on a response with ;req`);
  switch (name) {
    case '@method':
      return message.method;
    case '@target-uri':
      return message.targetUri;
    case '@authority':
      return message.authority.toLowerCase();
    case '@scheme':
      return message.scheme.toLowerCase();
    case '@request-target':
      return `${message.path}${message.query}`;
    case '@path':
      return message.path === '' ? '/' : message.path;
    case '@query':
      return message.query === '' ? '?' : message.query;
    default:
      return queryParamValue(message, component);
  }
}

/**
 * RFC 9421 §2.2.8: the query is parsed as application/x-www-form-urlencoded, and names and values
 * are re-encoded (space as %20). A name that occurs more than once cannot be covered this way.
 */
function queryParamValue(message: RequestMessage, component: ComponentId): string {
  const wanted = component.params?.['name'];
  if (typeof wanted !== 'string') throw invalid(component, '@query-param needs a name parameter');
  const values = [...new URLSearchParams(message.query)].filter(([name]) => encodeQueryPart(name) === wanted).map(([, value]) => value);
  if (values.length === 0) throw missing(component, `the query has no parameter named ${wanted}`);
  if (values.length > 1) throw invalid(component, `the query parameter ${wanted} occurs more than once (cover @query instead)`);
  return encodeQueryPart(values[0]);
}

/** The URL standard's application/x-www-form-urlencoded percent-encode set, with space as %20. */
export function encodeQueryPart(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9*\-._]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

function fieldValue(message: HttpMessage, component: ComponentId): string {
  const { name } = component;
  const params = component.params ?? {};
  if (!FIELD_NAME.test(name)) throw invalid(component, 'a field name is a lower-case token');
  const stray = Object.keys(params).find((key) => !FIELD_PARAMS.has(key));
  if (stray !== undefined) throw invalid(component, `the parameter ${stray} does not apply to a header field`);
  if (params['tr'] !== undefined) throw invalid(component, 'trailer fields (;tr) are not supported');
  for (const flag of ['sf', 'bs'] as const) {
    if (params[flag] !== undefined && params[flag] !== true) throw invalid(component, `the ${flag} parameter is a flag`);
  }
  if (params['bs'] !== undefined && (params['sf'] !== undefined || params['key'] !== undefined)) {
    throw invalid(component, 'bs cannot be combined with sf or key');
  }

  if (params['bs'] === true) {
    const lines = message.fieldLines?.(name);
    if (message.fieldLines === undefined) throw invalid(component, 'bs needs the separate field lines, which this message does not keep');
    if (lines === undefined) throw missing(component, `the message has no ${name} field`);
    return lines.map((line) => `:${Buffer.from(normalizeLine(line), 'latin1').toString('base64')}:`).join(', ');
  }

  const lines = message.fieldLines?.(name);
  const combined = lines !== undefined ? lines.map(normalizeLine).join(', ') : message.headers(name);
  if (combined === undefined) throw missing(component, `the message has no ${name} field`);
  const value = lines !== undefined ? combined : normalizeLine(combined);

  const key = params['key'];
  if (key !== undefined) {
    if (typeof key !== 'string') throw invalid(component, 'the key parameter is a string');
    let dictionary: Dictionary;
    try {
      dictionary = parseDictionary(value);
    } catch (error) {
      throw invalid(component, `the ${name} field is not a structured dictionary`, error);
    }
    const member = dictionary.get(key);
    if (member === undefined) throw missing(component, `the ${name} dictionary has no member ${key}`);
    return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
  }
  if (params['sf'] === true) return reserialize(name, value, component);
  return value;
}

/** Leading and trailing whitespace removed, obsolete line folding replaced by one space (RFC 9421 §2.1). */
function normalizeLine(line: string): string {
  return line.replace(/\r?\n[\t ]+/g, ' ').trim();
}

function reserialize(name: string, value: string, component: ComponentId): string {
  const known = STRUCTURED_FIELDS[name];
  const attempts: StructuredType[] = known !== undefined ? [known] : ['dictionary', 'list', 'item'];
  for (const type of attempts) {
    try {
      if (type === 'dictionary') return serializeDictionary(parseDictionary(value));
      if (type === 'list') return serializeList(parseList(value));
      return serializeItem(parseItem(value));
    } catch {
      // the next structured type, if any
    }
  }
  throw invalid(component, `the ${name} field is not a structured field`);
}

export function isInnerList(member: Item | InnerList): member is InnerList {
  return Array.isArray(member[0]);
}

function indexOrEnd(text: string, char: string): number {
  const index = text.indexOf(char);
  return index === -1 ? text.length : index;
}

function invalid(component: ComponentId, reason: string, cause?: unknown): SignatureBaseError {
  return new SignatureBaseError('invalid', `The component ${describe(component)} is invalid: ${reason}`, cause === undefined ? undefined : { cause });
}

function missing(component: ComponentId, reason: string): SignatureBaseError {
  return new SignatureBaseError('missing', `The component ${describe(component)} is missing: ${reason}`);
}

function describe(component: ComponentId): string {
  try {
    return serializeComponentId(component);
  } catch {
    return JSON.stringify(component.name);
  }
}
