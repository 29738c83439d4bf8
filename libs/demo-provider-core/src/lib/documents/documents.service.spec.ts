import { ErrorCode, LgspError, isUuidV4 } from '@lgsp/contracts';

import { PreconditionFailedError } from '../common/precondition.error';
import type { WriteContext } from '../common/write-context.util';
import { OrganisationsService } from '../organisations/organisations.service';
import { SEED_DOCUMENTS } from './document-seed.constant';
import type { DocumentInput } from './document.type';
import { DocumentsService } from './documents.service';

const SEEDED = SEED_DOCUMENTS[0]; // 125-QĐ/TU of thanh-uy-ha-noi, with effectiveFrom and recipients

function input(overrides: Partial<DocumentInput> = {}): DocumentInput {
  return {
    organisationId: 'thanh-uy-ha-noi',
    number: '501-QĐ/TU',
    title: 'Về việc kiện toàn Tổ công tác chuyển đổi số',
    type: 'quyet-dinh',
    issuedAt: '2025-11-03',
    signer: 'Trần Minh Đức',
    classification: 'noi-bo',
    ...overrides,
  };
}

function refusal(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('DocumentsService', () => {
  let service: DocumentsService;
  let log: jest.Mock;
  let write: (ifMatch?: string) => WriteContext;

  beforeEach(() => {
    service = new DocumentsService(new OrganisationsService());
    log = jest.fn();
    write = (ifMatch) => ({ ifMatch, log: { info: log } });
  });

  describe('list', () => {
    it('serves the seed newest first, one page of the default size', () => {
      const page = service.list({ page: 1, pageSize: 20 });
      expect(page.total).toBe(SEED_DOCUMENTS.length);
      expect(page.data).toHaveLength(20);
      const dates = page.data.map((d) => d.issuedAt);
      expect(dates).toEqual([...dates].sort().reverse());
    });

    it('cuts pages at their bounds and answers an empty page past the last', () => {
      const pages = [1, 2, 3, 4].map((page) => service.list({ page, pageSize: 7 }));
      expect(pages.map((p) => p.data.length)).toEqual([7, 7, 6, 0]);
      expect(pages.every((p) => p.total === 20 && p.pageSize === 7)).toBe(true);
      expect(new Set(pages.flatMap((p) => p.data.map((d) => d.id))).size).toBe(20);
      expect(service.list({ page: 1, pageSize: 1 }).data).toHaveLength(1);
      expect(service.list({ page: 1, pageSize: 100 }).data).toHaveLength(20);
    });

    it('filters by organisation, type and inclusive dates, combined', () => {
      const hanoi = service.list({ page: 1, pageSize: 100, organisationId: 'thanh-uy-ha-noi' });
      expect(hanoi.total).toBe(5);
      expect(hanoi.data.every((d) => d.organisationId === 'thanh-uy-ha-noi')).toBe(true);

      const guides = service.list({ page: 1, pageSize: 100, type: 'huong-dan' });
      expect(guides.data.map((d) => d.number).sort()).toEqual(['09-HD/BTCTW', '15-HD/BTCTW', '42-HD/VPTW']);

      const march = service.list({ page: 1, pageSize: 100, issuedFrom: '2025-03-03', issuedTo: '2025-03-18' });
      expect(march.data.map((d) => d.issuedAt).sort()).toEqual(['2025-03-03', '2025-03-12', '2025-03-18']);

      const combined = service.list({ page: 1, pageSize: 100, organisationId: 'tinh-uy-bac-ninh', type: 'quyet-dinh', issuedFrom: '2025-01-01' });
      expect(combined.data.map((d) => d.number)).toEqual(['125-QĐ/TU']);

      expect(service.list({ page: 1, pageSize: 100, organisationId: 'khong-ton-tai' }).total).toBe(0);
    });

    it('finds text in number, summary or signer regardless of case and diacritics', () => {
      expect(service.list({ page: 1, pageSize: 100, q: 'chuyen doi so' }).data.map((d) => d.number)).toEqual(['125-QĐ/TU']);
      expect(service.list({ page: 1, pageSize: 100, q: 'CHUYỂN ĐỔI SỐ' }).total).toBe(1);
      expect(service.list({ page: 1, pageSize: 100, q: 'qđ/tu' }).total).toBe(2);
      expect(service.list({ page: 1, pageSize: 100, q: 'tran minh duc' }).total).toBe(2);
      expect(service.list({ page: 1, pageSize: 100, q: 'không có văn bản nào như thế' }).total).toBe(0);
    });
  });

  describe('get', () => {
    it('answers a seeded document at version 1', () => {
      expect(service.get(SEEDED.id)).toMatchObject({ id: SEEDED.id, number: '125-QĐ/TU', version: 1 });
    });

    it('refuses an unknown id with not_found', () => {
      const error = refusal(() => service.get('00000000-0000-4000-8000-000000000000'));
      expect(error).toBeInstanceOf(LgspError);
      expect((error as LgspError).code).toBe(ErrorCode.NotFound);
    });
  });

  describe('writes', () => {
    it('creates at version 1 with a fresh UUID v4 and logs one line without the body', () => {
      const created = service.create(input({ recipients: ['Văn phòng Thành ủy'] }), write());
      expect(isUuidV4(created.id)).toBe(true);
      expect(created).toMatchObject({ ...input(), recipients: ['Văn phòng Thành ủy'], version: 1 });
      expect(created.createdAt).toBe(created.updatedAt);
      expect(service.get(created.id)).toEqual(created);
      expect(log).toHaveBeenCalledTimes(1);
      const [fields, message] = log.mock.calls[0] as [object, string];
      expect(fields).toEqual({ event: { action: 'document-created', outcome: 'success' }, lgsp: { document: { id: created.id, version: 1 } } });
      expect(JSON.stringify([fields, message])).not.toContain('kiện toàn');
    });

    it('increments the version on every change and keeps it when nothing changes', () => {
      const created = service.create(input(), write());
      const replaced = service.replace(created.id, input({ title: 'Về việc kiện toàn Tổ công tác (thay thế)' }), write());
      expect(replaced.version).toBe(2);
      expect(replaced.createdAt).toBe(created.createdAt);
      const patched = service.patch(created.id, { signer: 'Nguyễn Thị Thu Hà' }, write());
      expect(patched).toMatchObject({ version: 3, signer: 'Nguyễn Thị Thu Hà', title: 'Về việc kiện toàn Tổ công tác (thay thế)' });
      expect(service.patch(created.id, { signer: 'Nguyễn Thị Thu Hà' }, write()).version).toBe(3);
      expect(service.replace(created.id, input({ title: patched.title, signer: patched.signer }), write()).version).toBe(3);
      expect(log).toHaveBeenCalledTimes(5);
    });

    it('replaces every field: an optional field left out of PUT is removed', () => {
      const { id, ...seeded } = SEEDED;
      const { effectiveFrom: _effective, recipients: _recipients, ...required } = seeded;
      const replaced = service.replace(id, required, write());
      expect(replaced).not.toHaveProperty('effectiveFrom');
      expect(replaced).not.toHaveProperty('recipients');
      expect(replaced.version).toBe(2);
    });

    it('merges a patch: absent keeps, null removes an optional field, arrays are replaced whole', () => {
      const patched = service.patch(SEEDED.id, { effectiveFrom: null, recipients: ['Lưu Văn phòng Thành ủy'] }, write());
      expect(patched).not.toHaveProperty('effectiveFrom');
      expect(patched.recipients).toEqual(['Lưu Văn phòng Thành ủy']);
      expect(patched.title).toBe(SEEDED.title);
      expect(service.patch(SEEDED.id, { recipients: null }, write())).not.toHaveProperty('recipients');
    });

    it('serves frozen documents that callers cannot change behind its back', () => {
      const document = service.get(SEEDED.id);
      expect(Object.isFrozen(document)).toBe(true);
      expect(Object.isFrozen(document.recipients)).toBe(true);
    });

    it('deletes, after which the id is unknown and the number free again', () => {
      const created = service.create(input(), write());
      service.remove(created.id, write());
      expect((refusal(() => service.get(created.id)) as LgspError).code).toBe(ErrorCode.NotFound);
      expect(service.create(input(), write()).number).toBe('501-QĐ/TU');
      expect(log.mock.calls.map(([fields]) => (fields as { event: { action: string } }).event.action)).toEqual([
        'document-created',
        'document-deleted',
        'document-created',
      ]);
    });
  });

  describe('rules (unprocessable)', () => {
    function expectUnprocessable(action: () => unknown, location: string): void {
      const error = refusal(action);
      expect(error).toBeInstanceOf(LgspError);
      expect((error as LgspError).code).toBe(ErrorCode.Unprocessable);
      expect((error as LgspError).status).toBe(422);
      expect((error as LgspError).errors?.map((e) => e.location)).toEqual([location]);
    }

    it('refuses an organisation that does not exist', () => {
      expectUnprocessable(() => service.create(input({ organisationId: 'tinh-uy-khong-co' }), write()), 'organisationId');
      expectUnprocessable(() => service.patch(SEEDED.id, { organisationId: 'tinh-uy-khong-co' }, write()), 'organisationId');
    });

    it('keeps numbers unique within an organisation, ignoring case, but not across organisations', () => {
      expectUnprocessable(() => service.create(input({ number: '125-QĐ/TU' }), write()), 'number');
      expectUnprocessable(() => service.create(input({ number: '125-qđ/tu' }), write()), 'number');
      expectUnprocessable(() => service.patch(SEED_DOCUMENTS[1].id, { number: '125-QĐ/TU' }, write()), 'number');
      // Moving a document into an organisation that already uses its number is refused too.
      expectUnprocessable(() => service.patch(SEEDED.id, { organisationId: 'tinh-uy-bac-ninh' }, write()), 'number');
      expect(service.create(input({ organisationId: 'dang-uy-chinh-phu', number: '125-QĐ/TU' }), write()).version).toBe(1);
      // A document keeps its own number through a replace.
      const { id, ...seeded } = SEEDED;
      expect(service.replace(id, { ...seeded, title: 'Trích yếu đã sửa' }, write()).version).toBe(2);
      expect(log).toHaveBeenCalledTimes(2);
    });

    it('refuses a document that would take effect before it is issued', () => {
      expectUnprocessable(() => service.create(input({ effectiveFrom: '2025-11-02' }), write()), 'effectiveFrom');
      expectUnprocessable(() => service.patch(SEEDED.id, { issuedAt: '2025-03-13' }, write()), 'effectiveFrom');
      expect(service.create(input({ effectiveFrom: '2025-11-03' }), write()).effectiveFrom).toBe('2025-11-03');
    });

    it('leaves the document unchanged when a write is refused', () => {
      refusal(() => service.patch(SEEDED.id, { title: 'Không được lưu', organisationId: 'tinh-uy-khong-co' }, write()));
      expect(service.get(SEEDED.id)).toMatchObject({ title: SEEDED.title, version: 1 });
    });
  });

  describe('If-Match', () => {
    it('applies a write whose If-Match names the current version, or *, or lists it', () => {
      expect(service.patch(SEEDED.id, { title: 'Lần 1' }, write('"1"')).version).toBe(2);
      expect(service.patch(SEEDED.id, { title: 'Lần 2' }, write('*')).version).toBe(3);
      expect(service.patch(SEEDED.id, { title: 'Lần 3' }, write('"1", "3"')).version).toBe(4);
    });

    it('refuses a stale or weak tag with 412 and changes nothing', () => {
      service.patch(SEEDED.id, { title: 'Đã sửa' }, write());
      for (const ifMatch of ['"1"', 'W/"2"', '2', '"02"']) {
        const error = refusal(() => service.patch(SEEDED.id, { title: 'Ghi đè' }, write(ifMatch)));
        expect(error).toBeInstanceOf(PreconditionFailedError);
        expect((error as PreconditionFailedError).status).toBe(412);
        expect((error as PreconditionFailedError).code).toBe('precondition_failed');
      }
      expect(refusal(() => service.replace(SEEDED.id, input(), write('"1"')))).toBeInstanceOf(PreconditionFailedError);
      expect(refusal(() => service.remove(SEEDED.id, write('"1"')))).toBeInstanceOf(PreconditionFailedError);
      expect(service.get(SEEDED.id)).toMatchObject({ title: 'Đã sửa', version: 2 });
      expect(log).toHaveBeenCalledTimes(1);
    });

    it('answers 404 rather than 412 for an unknown id', () => {
      const error = refusal(() => service.remove('00000000-0000-4000-8000-000000000000', write('"1"')));
      expect((error as LgspError).code).toBe(ErrorCode.NotFound);
    });

    it('checks the precondition before the rules', () => {
      const error = refusal(() => service.patch(SEEDED.id, { organisationId: 'tinh-uy-khong-co' }, write('"9"')));
      expect(error).toBeInstanceOf(PreconditionFailedError);
    });
  });
});
