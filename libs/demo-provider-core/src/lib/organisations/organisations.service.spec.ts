import { ErrorCode, LgspError } from '@lgsp/contracts';

import { SEED_ORGANISATIONS } from './organisations.constant';
import { OrganisationsService } from './organisations.service';

describe('OrganisationsService', () => {
  const service = new OrganisationsService();

  it('lists every organisation sorted in Vietnamese order', () => {
    const page = service.list({ page: 1, pageSize: 20 });
    expect(page.total).toBe(SEED_ORGANISATIONS.length);
    expect(page.data.map((o) => o.name)).toEqual([
      'Ban Tổ chức Trung ương',
      'Đảng ủy Chính phủ',
      'Thành ủy Hà Nội',
      'Tỉnh ủy Bắc Ninh',
      'Văn phòng Trung ương Đảng',
    ]);
  });

  it('paginates and finds text without diacritics', () => {
    expect(service.list({ page: 2, pageSize: 2 }).data.map((o) => o.id)).toEqual(['thanh-uy-ha-noi', 'tinh-uy-bac-ninh']);
    expect(service.list({ page: 4, pageSize: 2 })).toEqual({ data: [], page: 4, pageSize: 2, total: 5 });
    expect(service.list({ page: 1, pageSize: 20, q: 'trung uong' }).data.map((o) => o.id).sort()).toEqual([
      'ban-to-chuc-trung-uong',
      'van-phong-trung-uong-dang',
    ]);
    expect(service.list({ page: 1, pageSize: 20, q: 'btctw' }).total).toBe(1);
  });

  it('gets one by id and refuses an unknown id with not_found', () => {
    expect(service.get('dang-uy-chinh-phu').name).toBe('Đảng ủy Chính phủ');
    expect(service.exists('dang-uy-chinh-phu')).toBe(true);
    expect(service.exists('dang-uy-khong-co')).toBe(false);
    expect(() => service.get('dang-uy-khong-co')).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }) as LgspError);
  });
});
