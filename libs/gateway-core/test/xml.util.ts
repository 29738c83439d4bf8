/** One element of a parsed XML document: qualified name, attributes, child elements and its own text. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/;
const ATTRIBUTE = /^\s+([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string, at: number): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) throw new Error(`bare & at ${at}`);
  return text.replace(ENTITY, (_m, named: string | undefined, dec: string | undefined, hex: string | undefined) =>
    named !== undefined ? NAMED[named] : String.fromCodePoint(dec !== undefined ? Number(dec) : parseInt(hex as string, 16)),
  );
}

/**
 * A strict little XML parser for the tests (no new dependency): one root element after an optional
 * declaration, tags balanced, attributes quoted, no bare `<` or `&` in text. Throws on anything else.
 */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end === -1) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.includes('>')) throw new Error(`bare > in text at ${i}`);
    if (stack.length === 0) {
      if (text.trim() !== '') throw new Error(`text outside the root element at ${i}`);
    } else {
      stack[stack.length - 1].text += decode(text, i);
    }
    if (lt === -1) break;
    i = lt + 1;
    if (xml[i] === '/') {
      const name = NAME.exec(xml.slice(i + 1))?.[0];
      const open = stack.pop();
      if (name === undefined || open === undefined || open.name !== name) throw new Error(`unbalanced </${name}> at ${lt}`);
      i += 1 + name.length;
      while (xml[i] === ' ') i++;
      if (xml[i] !== '>') throw new Error(`malformed end tag at ${lt}`);
      i++;
      continue;
    }
    if (root !== undefined && stack.length === 0) throw new Error(`second root element at ${lt}`);
    const name = NAME.exec(xml.slice(i))?.[0];
    if (name === undefined) throw new Error(`malformed tag at ${lt}`);
    i += name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      const attribute = ATTRIBUTE.exec(xml.slice(i));
      if (attribute === null) break;
      if (attribute[1] in attributes) throw new Error(`duplicate attribute ${attribute[1]} at ${i}`);
      attributes[attribute[1]] = decode(attribute[2] ?? attribute[3], i);
      i += attribute[0].length;
    }
    while (xml[i] === ' ') i++;
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1].children.push(element);
    else root = element;
    if (xml.startsWith('/>', i)) {
      i += 2;
    } else if (xml[i] === '>') {
      stack.push(element);
      i++;
    } else {
      throw new Error(`malformed tag <${name} at ${lt}`);
    }
  }
  if (root === undefined || stack.length > 0) throw new Error('no root element, or unclosed elements');
  return root;
}

/** The first descendant (depth first) with this qualified name. */
export function find(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (child.name === name) return child;
    const found = find(child, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface ParsedFault {
  readonly version: '1.1' | '1.2';
  /** soap:Client / soap:Server, env:Sender / env:Receiver. */
  readonly faultCode: string;
  readonly reason: string;
  /** The lgsp:problem members by local name. */
  readonly problem: Readonly<Record<string, string>>;
}

/** Parses a SOAP 1.1 or 1.2 Fault envelope as the gateway writes it; throws if it is not one. */
export function parseSoapFault(xml: string): ParsedFault {
  const envelope = parseXml(xml);
  const soap11 = envelope.name === 'soap:Envelope' && envelope.attributes['xmlns:soap'] === 'http://schemas.xmlsoap.org/soap/envelope/';
  const soap12 = envelope.name === 'env:Envelope' && envelope.attributes['xmlns:env'] === 'http://www.w3.org/2003/05/soap-envelope';
  if (!soap11 && !soap12) throw new Error(`not a SOAP envelope: <${envelope.name}>`);
  const prefix = soap11 ? 'soap' : 'env';
  const body = envelope.children.find((c) => c.name === `${prefix}:Body`);
  const fault = body?.children.find((c) => c.name === `${prefix}:Fault`);
  if (fault === undefined || body?.children.length !== 1) throw new Error('the body does not hold exactly one Fault');
  const problem = find(fault, 'lgsp:problem');
  if (problem === undefined || problem.attributes['xmlns:lgsp'] !== 'urn:lgsp:problem') throw new Error('the fault carries no lgsp:problem');
  const members = Object.fromEntries(problem.children.filter((c) => c.children.length === 0).map((c) => [c.name.slice('lgsp:'.length), c.text]));
  if (soap11) {
    return {
      version: '1.1',
      faultCode: find(fault, 'faultcode')?.text ?? '',
      reason: find(fault, 'faultstring')?.text ?? '',
      problem: members,
    };
  }
  const text = find(fault, 'env:Text');
  if (text?.attributes['xml:lang'] !== 'en') throw new Error('env:Text without xml:lang');
  return { version: '1.2', faultCode: find(find(fault, 'env:Code') ?? fault, 'env:Value')?.text ?? '', reason: text.text, problem: members };
}
