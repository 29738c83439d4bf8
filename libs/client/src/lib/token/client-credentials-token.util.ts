import { LgspTokenError } from '../lgsp-client.error';

export interface ClientCredentialsOptions {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  readonly renewBeforeSeconds: number;
  readonly fetch: typeof globalThis.fetch;
}

/** RFC 6749 §2.3.1: each part form-encoded before they are joined and base64-encoded. */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/**
 * Access tokens by client credentials, kept until shortly before they expire. Concurrent callers
 * share one request to the token endpoint.
 */
export class ClientCredentialsTokens {
  private cached: { readonly token: string; readonly renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly options: ClientCredentialsOptions) {}

  async get(): Promise<string> {
    if (this.cached !== undefined && Date.now() < this.cached.renewAt) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `token` after the platform refused it; a token fetched meanwhile is kept. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope } = this.options;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined) form.set('scope', scope);
    const started = Date.now();
    const response = await this.options.fetch(tokenUrl, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        authorization: basicCredentials(clientId, clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form.toString(),
      redirect: 'manual',
    });
    const text = await response.text();
    let answer: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } | undefined;
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      answer = undefined;
    }
    if (response.ok && typeof answer?.access_token === 'string' && answer.access_token !== '') {
      this.cached = { token: answer.access_token, renewAt: renewAt(started, answer.expires_in, this.options.renewBeforeSeconds) };
      return answer.access_token;
    }
    const error = typeof answer?.error === 'string' ? answer.error : undefined;
    const description = typeof answer?.error_description === 'string' ? answer.error_description : undefined;
    const why = error === undefined ? text.slice(0, 300) || `HTTP ${response.status}` : `${error}${description === undefined ? '' : `: ${description}`}`;
    throw new LgspTokenError(response.status, error, description, `The token endpoint ${tokenUrl} refused: ${response.status} ${why}`);
  }
}

/**
 * When to fetch the next token, counted from when this one was asked for: `renewBefore` seconds ahead
 * of its expiry, or halfway through a lifetime shorter than that. Without expires_in it is kept until
 * the platform refuses it.
 */
function renewAt(started: number, expiresIn: unknown, renewBeforeSeconds: number): number {
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) return Number.POSITIVE_INFINITY;
  const seconds = expiresIn > renewBeforeSeconds ? expiresIn - renewBeforeSeconds : expiresIn / 2;
  return started + seconds * 1000;
}
