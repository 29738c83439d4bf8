/** Kinds of Party documents (thể loại văn bản của Đảng). */
export const DOCUMENT_TYPES = [
  'nghi-quyet',
  'quyet-dinh',
  'chi-thi',
  'ket-luan',
  'quy-dinh',
  'quy-che',
  'thong-bao',
  'huong-dan',
  'ke-hoach',
  'bao-cao',
  'to-trinh',
  'cong-van',
] as const;

/** The classifications this API may serve: public (công khai) and internal (nội bộ). */
export const DOCUMENT_CLASSIFICATIONS = ['cong-khai', 'noi-bo'] as const;

/**
 * Số ký hiệu: the number, a hyphen, the abbreviation of the document type, a slash and that of the
 * issuing organisation, e.g. `125-QĐ/TU`, `21-QĐi/ĐU`, `88-TTr/BTCTW`.
 */
export const DOCUMENT_NUMBER_PATTERN = /^[0-9]{1,5}-[A-ZĐ][A-Za-zĐđ]{1,4}\/[A-ZĐ][A-ZĐ0-9-]{1,19}$/;

export const MERGE_PATCH_JSON = 'application/merge-patch+json';
