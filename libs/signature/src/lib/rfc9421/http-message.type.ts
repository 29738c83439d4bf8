/**
 * What RFC 9421 reads from an HTTP message, independent of any framework. Header names are asked
 * lower-case; `headers` answers the combined field value (field lines joined with ", ", as Node
 * delivers them), `fieldLines` the separate lines when the source still has them (needed by `;bs`).
 */
export interface HeaderAccess {
  readonly headers: (name: string) => string | undefined;
  readonly fieldLines?: (name: string) => readonly string[] | undefined;
}

export interface RequestMessage extends HeaderAccess {
  readonly method: string;
  /** The absolute target URI as the client addressed it, without a fragment. */
  readonly targetUri: string;
  /** Lower-case host, with the port only when it is not the scheme's default. */
  readonly authority: string;
  /** Lower-case scheme, without the colon. */
  readonly scheme: string;
  /** The absolute path, as sent (percent-encoding kept); "/" when empty. */
  readonly path: string;
  /** The query with its leading "?", as sent; "" when the URI has none. */
  readonly query: string;
}

export interface ResponseMessage extends HeaderAccess {
  readonly status: number;
  /** The request this response answers: the source of the `;req` components. */
  readonly request?: RequestMessage;
}

export type HttpMessage = RequestMessage | ResponseMessage;

export function isResponseMessage(message: HttpMessage): message is ResponseMessage {
  return 'status' in message;
}

/**
 * Header fields as frameworks hand them over: Node's `IncomingHttpHeaders` or outgoing headers (any
 * name case, arrays for repeated lines, numbers), a fetch `Headers`, or a lookup function.
 */
export type HeaderSource =
  | Readonly<Record<string, string | number | readonly string[] | undefined>>
  | { get(name: string): string | null }
  | ((name: string) => string | undefined);
