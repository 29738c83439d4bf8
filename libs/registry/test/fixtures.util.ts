import { apis, apiVersions, type LgspDb } from '@lgsp/data';

export const DIRECTORY_OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'Directory', version: '1.0.0' },
  paths: {
    '/organisations': {
      get: { operationId: 'listOrganisations', responses: { '200': { description: 'ok' } } },
    },
  },
} as const;

/** Publishes an API version directly in the tables, for tests about consumers rather than providers. */
export async function publishApi(db: LgspDb, domain: string, version: string, classification: 'cong-khai' | 'noi-bo' | 'mat' | 'toi-mat' = 'noi-bo', provider = 'bo-noi-vu'): Promise<string> {
  const [api] = await db.insert(apis).values({ domain, provider }).onConflictDoUpdate({ target: apis.domain, set: { provider } }).returning();
  const [row] = await db
    .insert(apiVersions)
    .values({
      apiId: api.id,
      version,
      status: 'published',
      classification,
      upstreamSandbox: 'http://127.0.0.1:9100',
      upstreamProduction: 'http://127.0.0.1:9101',
      openapi: DIRECTORY_OPENAPI as unknown as Record<string, unknown>,
      openapiSha256: 'test',
      publishedAt: new Date(),
    })
    .returning();
  return row.id;
}

/** A complete, valid form 01. */
export function registrationForm(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organisation: { id: 'tu-ha-noi', name: 'Thành uỷ Hà Nội', address: '2 Lê Lai, Hoàn Kiếm, Hà Nội' },
    representative: { name: 'Nguyễn Văn A', position: 'Chánh Văn phòng' },
    technicalContact: { name: 'Trần Thị B', phone: '+84912345678', email: 'b.tran@hanoi.dcs.vn' },
    system: { name: 'Hệ thống quản lý cán bộ', businessDomain: 'Tổ chức cán bộ' },
    security: { level: 3, approvalDocument: '123/QĐ-VPTU' },
    maxClassification: 'noi-bo',
    connectionOption: 2,
    data: [
      { api: 'directory', version: 'v1', classification: 'noi-bo', frequency: 'realtime', method: 'api', expectedStart: '2027-01-15', purpose: 'Tra cứu danh mục cơ quan' },
    ],
    ...overrides,
  };
}
