import type { Organisation } from './organisation.type';

/** Organisation ids are readable slugs, e.g. `thanh-uy-ha-noi`. */
export const ORGANISATION_ID_PATTERN = /^[a-z][a-z0-9-]{1,63}$/;

/** Cấp: central (Trung ương) or provincial (tỉnh, thành phố trực thuộc Trung ương). */
export const ORGANISATION_LEVELS = ['trung-uong', 'tinh'] as const;

export const SEED_ORGANISATIONS: readonly Organisation[] = [
  {
    id: 'thanh-uy-ha-noi',
    name: 'Thành ủy Hà Nội',
    abbreviation: 'TU',
    level: 'tinh',
    address: 'Số 10 phố Lê Lai, phường Hoàn Kiếm, Hà Nội',
  },
  {
    id: 'tinh-uy-bac-ninh',
    name: 'Tỉnh ủy Bắc Ninh',
    abbreviation: 'TU',
    level: 'tinh',
    address: 'Số 11 đường Phù Đổng Thiên Vương, phường Kinh Bắc, tỉnh Bắc Ninh',
  },
  {
    id: 'ban-to-chuc-trung-uong',
    name: 'Ban Tổ chức Trung ương',
    abbreviation: 'BTCTW',
    level: 'trung-uong',
    address: 'Số 2 phố Hoàng Văn Thụ, phường Ba Đình, Hà Nội',
  },
  {
    id: 'van-phong-trung-uong-dang',
    name: 'Văn phòng Trung ương Đảng',
    abbreviation: 'VPTW',
    level: 'trung-uong',
    address: 'Số 1A phố Hùng Vương, phường Ba Đình, Hà Nội',
  },
  {
    id: 'dang-uy-chinh-phu',
    name: 'Đảng ủy Chính phủ',
    abbreviation: 'ĐU',
    level: 'trung-uong',
    address: 'Số 1 phố Hoàng Hoa Thám, phường Ba Đình, Hà Nội',
  },
];
