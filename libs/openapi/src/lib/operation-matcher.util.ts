import type { OpenApiOperation, OperationMatcher } from './openapi.type';

interface PatternChild {
  readonly pattern: RegExp;
  /** Literal characters in the segment template: more of them is more concrete, so tried first. */
  readonly literalLength: number;
  readonly node: TrieNode;
}

interface TrieNode {
  readonly literals: Map<string, TrieNode>;
  readonly patterns: PatternChild[];
  param: TrieNode | undefined;
  readonly methods: Map<string, OpenApiOperation>;
}

const WHOLE_PARAMETER = /^\{[^{}]+\}$/;
const PARAMETER = /\{[^{}]+\}/;
const PARAMETERS = /\{[^{}]+\}/g;

/**
 * Compiles the routing trie once per registry change, so that matching on the request path is a
 * few Map lookups per segment: no RegExp is built and nothing but segment strings is allocated.
 *
 * At each segment a literal is tried before a segment mixing literal text and a parameter
 * ('{name}.pdf'), which is tried before a bare parameter, backtracking when the rest of the path or
 * the method does not fit: `/persons/me` wins over `/persons/{id}` for GET, while a DELETE the
 * document only describes on `/persons/{id}` still reaches it, as the provider's own router would.
 * HEAD falls back to GET on the same path when the document has no HEAD there.
 */
export function compileOperationMatcher(operations: readonly OpenApiOperation[]): OperationMatcher {
  const root = newNode();
  for (const operation of operations) {
    if (!operation.path.startsWith('/')) continue;
    let node = root;
    for (const segment of operation.path.slice(1).split('/')) node = childFor(node, segment);
    if (!node.methods.has(operation.method)) node.methods.set(operation.method, operation);
  }
  finish(root);
  return {
    match(method: string, path: string): OpenApiOperation | undefined {
      return path.charCodeAt(0) === 47 ? find(root, path, 1, method) : undefined;
    },
  };
}

function newNode(): TrieNode {
  return { literals: new Map(), patterns: [], param: undefined, methods: new Map() };
}

function childFor(node: TrieNode, segment: string): TrieNode {
  if (WHOLE_PARAMETER.test(segment)) return (node.param ??= newNode());
  if (!PARAMETER.test(segment)) {
    let literal = node.literals.get(segment);
    if (literal === undefined) node.literals.set(segment, (literal = newNode()));
    return literal;
  }
  const literals = segment.split(PARAMETER);
  const pattern = new RegExp(`^${literals.map(escapeRegExp).join('[^/]+')}$`);
  const existing = node.patterns.find((child) => child.pattern.source === pattern.source);
  if (existing) return existing.node;
  const child: PatternChild = { pattern, literalLength: literals.join('').length, node: newNode() };
  node.patterns.push(child);
  return child.node;
}

function finish(node: TrieNode): void {
  const get = node.methods.get('GET');
  if (get !== undefined && !node.methods.has('HEAD')) node.methods.set('HEAD', get);
  node.patterns.sort((a, b) => b.literalLength - a.literalLength || (a.pattern.source < b.pattern.source ? -1 : 1));
  for (const child of node.literals.values()) finish(child);
  for (const child of node.patterns) finish(child.node);
  if (node.param) finish(node.param);
}

function find(node: TrieNode, path: string, start: number, method: string): OpenApiOperation | undefined {
  const slash = path.indexOf('/', start);
  const last = slash === -1;
  const segment = last ? path.slice(start) : path.slice(start, slash);
  const literal = node.literals.get(segment);
  if (literal !== undefined) {
    const found = last ? literal.methods.get(method) : find(literal, path, slash + 1, method);
    if (found !== undefined) return found;
  }
  // A parameter stands for exactly one non-empty segment.
  if (segment.length === 0) return undefined;
  for (const child of node.patterns) {
    if (!child.pattern.test(segment)) continue;
    const found = last ? child.node.methods.get(method) : find(child.node, path, slash + 1, method);
    if (found !== undefined) return found;
  }
  if (node.param === undefined) return undefined;
  return last ? node.param.methods.get(method) : find(node.param, path, slash + 1, method);
}

interface ParameterExtractor {
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

const extractors = new WeakMap<OpenApiOperation, ParameterExtractor>();

/**
 * The path parameters of a request the matcher gave to `operation`, percent-decoded for schema
 * validation (a value that is not valid percent-encoding is kept raw, and validation refuses it).
 * Off the routing path on purpose: only requests that get validated pay for the extraction.
 */
export function matchedPathParameters(operation: OpenApiOperation, path: string): Record<string, string> {
  let extractor = extractors.get(operation);
  if (extractor === undefined) {
    extractor = extractorOf(operation.path);
    extractors.set(operation, extractor);
  }
  const match = extractor.pattern.exec(path);
  if (match === null) throw new Error(`${path} does not match ${operation.key}`);
  return Object.fromEntries(extractor.names.map((name, index) => [name, decoded(match[index + 1])]));
}

function extractorOf(template: string): ParameterExtractor {
  const names: string[] = [];
  const segments = template
    .slice(1)
    .split('/')
    .map((segment) => {
      const literals = segment.split(PARAMETER);
      for (const parameter of segment.match(PARAMETERS) ?? []) names.push(parameter.slice(1, -1));
      const capture = literals.length === 2 && literals[0] === '' && literals[1] === '' ? '([^/]+)' : '([^/]+?)';
      return literals.map(escapeRegExp).join(capture);
    });
  return { pattern: new RegExp(`^/${segments.join('/')}$`), names };
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
