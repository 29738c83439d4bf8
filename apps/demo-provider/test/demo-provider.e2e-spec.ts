import { randomUUID } from 'node:crypto';

import type { DemoProvider } from '@lgsp/demo-provider-core';
import { SEED_DOCUMENTS, startDemoProvider } from '@lgsp/demo-provider-core';
import { createLogger } from '@lgsp/observability';
import { request } from 'undici';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from the wire
  body: any;
}

interface CallOptions {
  body?: unknown;
  /** A raw body, sent as is. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

const SEEDED = SEED_DOCUMENTS[0];
const UNKNOWN_ID = '2b0a8f7c-6d3e-4f1a-9b8c-7d6e5f4a3b2c';

function newDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organisationId: 'tinh-uy-bac-ninh',
    number: '610-QĐ/TU',
    title: 'Về việc thành lập Tổ công tác triển khai nền tảng chia sẻ dữ liệu',
    type: 'quyet-dinh',
    issuedAt: '2025-11-10',
    effectiveFrom: '2025-11-15',
    signer: 'Phạm Văn Hùng',
    classification: 'noi-bo',
    recipients: ['Các ban đảng Tỉnh ủy', 'Lưu Văn phòng Tỉnh ủy'],
    ...overrides,
  };
}

describe('demo provider over HTTP', () => {
  let provider: DemoProvider;
  let requestId: string;

  async function call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    requestId = randomUUID();
    const hasBody = options.body !== undefined || options.raw !== undefined;
    const response = await request(`${provider.url}${path}`, {
      method: method as 'GET',
      headers: {
        'x-request-id': requestId,
        ...(hasBody ? { 'content-type': options.contentType ?? 'application/json' } : {}),
        ...options.headers,
      },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  }

  /** A problem+json answer with this status and code, carrying the ids of the request. */
  function expectProblem(reply: Reply, status: number, code?: string): void {
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status, requestId, type: expect.stringMatching(/^urn:lgsp:problem:/), title: expect.any(String) });
    expect(typeof reply.body.transactionId).toBe('string');
    if (code !== undefined) expect(reply.body.code).toBe(code);
  }

  function locations(reply: Reply): string[] {
    return (reply.body.errors as { location: string }[]).map((e) => e.location);
  }

  beforeAll(async () => {
    provider = await startDemoProvider({ port: 0, logger: createLogger({ service: 'demo-provider', level: 'silent' }) });
  });

  afterAll(async () => {
    await provider.close();
  });

  it('listens on a real ephemeral port and reports its base URL', () => {
    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
  });

  describe('organisations', () => {
    it('lists them, paginated', async () => {
      const reply = await call('GET', '/organisations');
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ page: 1, pageSize: 20, total: 5 });
      expect(reply.body.data).toHaveLength(5);

      const second = await call('GET', '/organisations?page=2&pageSize=3');
      expect(second.body).toMatchObject({ page: 2, pageSize: 3, total: 5 });
      expect(second.body.data).toHaveLength(2);
    });

    it('finds them by name without diacritics', async () => {
      const reply = await call('GET', `/organisations?q=${encodeURIComponent('bac ninh')}`);
      expect(reply.body.data.map((o: { id: string }) => o.id)).toEqual(['tinh-uy-bac-ninh']);
    });

    it('gets one, and answers not_found for an unknown id', async () => {
      const reply = await call('GET', '/organisations/ban-to-chuc-trung-uong');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        id: 'ban-to-chuc-trung-uong',
        name: 'Ban Tổ chức Trung ương',
        abbreviation: 'BTCTW',
        level: 'trung-uong',
        address: expect.any(String),
      });
      expectProblem(await call('GET', '/organisations/ban-khong-ton-tai'), 404, 'not_found');
    });

    it('refuses a malformed id or query with validation_failed naming it', async () => {
      const id = await call('GET', '/organisations/Thanh_Uy');
      expectProblem(id, 400, 'validation_failed');
      expect(locations(id)).toEqual(['organisationId']);

      const query = await call('GET', '/organisations?pageSize=101');
      expectProblem(query, 400, 'validation_failed');
      expect(locations(query)).toEqual(['pageSize']);
    });
  });

  describe('reading documents', () => {
    it('lists the seed, newest first, 20 per page by default', async () => {
      const reply = await call('GET', '/documents');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
      expect(reply.body).toMatchObject({ page: 1, pageSize: 20, total: 20 });
      const dates = reply.body.data.map((d: { issuedAt: string }) => d.issuedAt);
      expect(dates).toEqual([...dates].sort().reverse());
    });

    it('paginates to the last page and past it', async () => {
      const last = await call('GET', '/documents?page=4&pageSize=6');
      expect(last.body).toMatchObject({ page: 4, pageSize: 6, total: 20 });
      expect(last.body.data).toHaveLength(2);
      const past = await call('GET', '/documents?page=5&pageSize=6');
      expect(past.status).toBe(200);
      expect(past.body).toEqual({ data: [], page: 5, pageSize: 6, total: 20 });
    });

    it('filters by organisation, type, dates and text', async () => {
      const byOrganisation = await call('GET', '/documents?organisationId=van-phong-trung-uong-dang');
      expect(byOrganisation.body.total).toBe(4);

      const byTypeAndDate = await call('GET', '/documents?type=nghi-quyet&issuedFrom=2025-01-01&issuedTo=2025-12-31');
      expect(byTypeAndDate.body.data.map((d: { number: string }) => d.number)).toEqual(['03-NQ/ĐU']);

      const byText = await call('GET', `/documents?q=${encodeURIComponent('Hồ sơ đảng viên')}`);
      expect(byText.body.data.map((d: { number: string }) => d.number)).toEqual(['15-HD/BTCTW']);
    });

    it('refuses malformed query parameters, naming each', async () => {
      const reply = await call('GET', '/documents?page=0&pageSize=abc&type=sac-lenh&issuedFrom=2025-02-30&organisationId=X');
      expectProblem(reply, 400, 'validation_failed');
      expect(new Set(locations(reply))).toEqual(new Set(['page', 'pageSize', 'type', 'issuedFrom', 'organisationId']));

      const inverted = await call('GET', '/documents?issuedFrom=2025-06-01&issuedTo=2025-01-01');
      expectProblem(inverted, 400, 'validation_failed');
      expect(locations(inverted)).toEqual(['issuedTo']);

      const unknown = await call('GET', '/documents?sort=title');
      expectProblem(unknown, 400, 'validation_failed');
      expect(locations(unknown)).toEqual(['sort']);
    });

    it('gets one with its ETag', async () => {
      const reply = await call('GET', `/documents/${SEEDED.id}`);
      expect(reply.status).toBe(200);
      expect(reply.headers.etag).toBe('"1"');
      expect(reply.body).toMatchObject({ id: SEEDED.id, number: '125-QĐ/TU', organisationId: 'thanh-uy-ha-noi', version: 1 });
    });

    it('answers not_found for an unknown id and validation_failed for a malformed one', async () => {
      const unknown = await call('GET', `/documents/${UNKNOWN_ID}`);
      expectProblem(unknown, 404, 'not_found');

      const malformed = await call('GET', '/documents/125-QD-TU');
      expectProblem(malformed, 400, 'validation_failed');
      expect(locations(malformed)).toEqual(['documentId']);
    });
  });

  describe('the life of a document', () => {
    let location: URL;

    it('creates: 201 with Location and ETag, readable back at the Location', async () => {
      const created = await call('POST', '/documents', { body: newDocument() });
      expect(created.status).toBe(201);
      expect(created.headers.etag).toBe('"1"');
      expect(created.body).toMatchObject({ ...newDocument(), version: 1 });
      expect(created.headers.location).toBe(`documents/${created.body.id}`);

      location = new URL(created.headers.location as string, `${provider.url}/documents`);
      expect(location.pathname).toBe(`/documents/${created.body.id}`);
      // Behind the gateway the same Location resolves under its prefix.
      expect(new URL(created.headers.location as string, 'https://lgsp.example/v1/directory/documents').pathname).toBe(
        `/v1/directory/documents/${created.body.id}`,
      );

      const read = await call('GET', location.pathname);
      expect(read.status).toBe(200);
      expect(read.headers.etag).toBe('"1"');
      expect(read.body).toEqual(created.body);
    });

    it('replaces with a matching If-Match, and refuses a stale one with 412', async () => {
      const replaced = await call('PUT', location.pathname, {
        body: newDocument({ title: 'Về việc thành lập Tổ công tác (bản thay thế)', recipients: undefined }),
        headers: { 'if-match': '"1"' },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.headers.etag).toBe('"2"');
      expect(replaced.body).toMatchObject({ version: 2, title: 'Về việc thành lập Tổ công tác (bản thay thế)' });
      expect(replaced.body).not.toHaveProperty('recipients');

      const stale = await call('PUT', location.pathname, { body: newDocument(), headers: { 'if-match': '"1"' } });
      expectProblem(stale, 412, 'precondition_failed');
      expect(stale.body.detail).toContain('If-Match');
      expect((await call('GET', location.pathname)).body.version).toBe(2);
    });

    it('patches with application/merge-patch+json: null removes, absent keeps', async () => {
      const patched = await call('PATCH', location.pathname, {
        body: { effectiveFrom: null, signer: 'Đỗ Thị Lan' },
        contentType: 'application/merge-patch+json',
        headers: { 'if-match': '"2"' },
      });
      expect(patched.status).toBe(200);
      expect(patched.headers.etag).toBe('"3"');
      expect(patched.body).toMatchObject({ version: 3, signer: 'Đỗ Thị Lan', title: 'Về việc thành lập Tổ công tác (bản thay thế)' });
      expect(patched.body).not.toHaveProperty('effectiveFrom');

      const stale = await call('PATCH', location.pathname, {
        body: { signer: 'Người khác' },
        contentType: 'application/merge-patch+json',
        headers: { 'if-match': '"2"' },
      });
      expectProblem(stale, 412, 'precondition_failed');
    });

    it('patches with application/json too, and with If-Match: *', async () => {
      const patched = await call('PATCH', location.pathname, {
        body: { recipients: ['Văn phòng Tỉnh ủy'] },
        headers: { 'if-match': '*' },
      });
      expect(patched.status).toBe(200);
      expect(patched.headers.etag).toBe('"4"');
      expect(patched.body.recipients).toEqual(['Văn phòng Tỉnh ủy']);
    });

    it('refuses a patch that removes a required field or is not an object', async () => {
      const removal = await call('PATCH', location.pathname, { body: { title: null }, contentType: 'application/merge-patch+json' });
      expectProblem(removal, 400, 'validation_failed');
      expect(locations(removal)).toContain('title');

      for (const raw of ['[]', 'null', '"title"', '{"title":']) {
        expectProblem(await call('PATCH', location.pathname, { raw, contentType: 'application/merge-patch+json' }), 400, 'validation_failed');
      }
      expect((await call('GET', location.pathname)).body.version).toBe(4);
    });

    it('refuses a body in a media type the operation does not accept', async () => {
      expectProblem(await call('PATCH', location.pathname, { raw: 'title=x', contentType: 'text/plain' }), 415, 'unsupported_media_type');
      expectProblem(
        await call('POST', '/documents', { body: newDocument({ number: '611-QĐ/TU' }), contentType: 'application/merge-patch+json' }),
        415,
        'unsupported_media_type',
      );
      expectProblem(
        await call('POST', '/documents', { raw: 'organisationId=tinh-uy-bac-ninh', contentType: 'application/x-www-form-urlencoded' }),
        415,
        'unsupported_media_type',
      );
    });

    it('deletes: a stale If-Match is refused, then 204, then not_found', async () => {
      expectProblem(await call('DELETE', location.pathname, { headers: { 'if-match': '"3"' } }), 412, 'precondition_failed');
      const deleted = await call('DELETE', location.pathname, { headers: { 'if-match': '"4"' } });
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();
      expectProblem(await call('GET', location.pathname), 404, 'not_found');
      expectProblem(await call('DELETE', location.pathname), 404, 'not_found');
      expectProblem(await call('PUT', location.pathname, { body: newDocument() }), 404, 'not_found');
    });
  });

  describe('refusing writes', () => {
    it('refuses malformed JSON', async () => {
      expectProblem(await call('POST', '/documents', { raw: '{"organisationId":' }), 400, 'validation_failed');
    });

    it('refuses missing and mistyped fields, naming each', async () => {
      const missing = await call('POST', '/documents', { body: {} });
      expectProblem(missing, 400, 'validation_failed');
      expect(new Set(locations(missing))).toEqual(new Set(['organisationId', 'number', 'title', 'type', 'issuedAt', 'signer', 'classification']));

      const mistyped = await call('POST', '/documents', {
        body: newDocument({ number: '610/QĐ-TU', issuedAt: '10/11/2025', classification: 'mat', recipients: 'Văn phòng', title: 42 }),
      });
      expectProblem(mistyped, 400, 'validation_failed');
      expect(new Set(locations(mistyped))).toEqual(new Set(['number', 'issuedAt', 'classification', 'recipients', 'title']));
    });

    it('refuses an unknown field', async () => {
      const reply = await call('POST', '/documents', { body: newDocument({ secretNote: 'x' }) });
      expectProblem(reply, 400, 'validation_failed');
      expect(locations(reply)).toEqual(['secretNote']);
    });

    it('refuses with unprocessable a well-formed document the rules do not allow', async () => {
      const organisation = await call('POST', '/documents', { body: newDocument({ organisationId: 'tinh-uy-khong-co' }) });
      expectProblem(organisation, 422, 'unprocessable');
      expect(locations(organisation)).toEqual(['organisationId']);

      const duplicate = await call('POST', '/documents', { body: newDocument({ organisationId: 'thanh-uy-ha-noi', number: '125-QĐ/TU' }) });
      expectProblem(duplicate, 422, 'unprocessable');
      expect(locations(duplicate)).toEqual(['number']);

      const early = await call('POST', '/documents', { body: newDocument({ effectiveFrom: '2025-11-01' }) });
      expectProblem(early, 422, 'unprocessable');
      expect(locations(early)).toEqual(['effectiveFrom']);
    });
  });
});

describe('demo provider logs and limits', () => {
  const lines: Record<string, unknown>[] = [];
  let provider: DemoProvider;

  beforeAll(async () => {
    const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
    provider = await startDemoProvider({
      port: 0,
      logger: createLogger({ service: 'demo-provider', level: 'info', destination }),
      bodyLimit: 2048,
    });
  });

  afterAll(async () => {
    await provider.close();
  });

  it('logs one line per write with the X-Request-ID it received, never the body', async () => {
    const requestId = randomUUID();
    const response = await request(`${provider.url}/documents`, {
      method: 'POST',
      headers: { 'x-request-id': requestId, 'content-type': 'application/json', authorization: 'Bearer should-never-be-logged' },
      body: JSON.stringify(newDocument()),
    });
    const created = (await response.body.json()) as { id: string };
    expect(response.statusCode).toBe(201);
    await request(`${provider.url}/documents/${created.id}`, { headers: { 'x-request-id': randomUUID() } }).then((r) => r.body.dump());

    const writes = lines.filter((line) => (line.event as { action?: string } | undefined)?.action?.startsWith('document-'));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      event: { action: 'document-created', outcome: 'success' },
      lgsp: { document: { id: created.id, version: 1 } },
      transaction: { id: expect.any(String) },
    });
    // ECS http.request.id, written dotted or nested (Elasticsearch reads both as one field).
    const line = writes[0] as { 'http.request.id'?: string; http?: { request?: { id?: string } } };
    expect(line['http.request.id'] ?? line.http?.request?.id).toBe(requestId);
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain('Tổ công tác');
    expect(everything).not.toContain('should-never-be-logged');
  });

  it('refuses a body over its limit with payload_too_large', async () => {
    const response = await request(`${provider.url}/documents`, {
      method: 'POST',
      headers: { 'x-request-id': randomUUID(), 'content-type': 'application/json' },
      body: JSON.stringify(newDocument({ title: 'x'.repeat(4096) })),
    });
    expect(response.statusCode).toBe(413);
    expect(((await response.body.json()) as { code: string }).code).toBe('payload_too_large');
  });
});
