import { isCalendarDate } from './calendar-date.util';
import { mediaTypeOf } from './consumes.guard';
import { etagOf, ifMatchAllows } from './etag.util';
import { paginate } from './pagination.util';
import { foldForSearch, matchesQuery, normaliseText } from './text.util';

describe('calendar dates', () => {
  it.each(['2025-03-12', '2024-02-29', '1999-12-31'])('accepts %s', (value) => expect(isCalendarDate(value)).toBe(true));
  it.each(['2025-02-29', '2025-13-01', '2025-3-12', '2025-03-12T00:00:00Z', '12/03/2025', '', 20250312])('refuses %s', (value) =>
    expect(isCalendarDate(value)).toBe(false),
  );
});

describe('entity tags', () => {
  it('quotes the version as a strong tag', () => expect(etagOf(7)).toBe('"7"'));
  it('matches per RFC 9110 strong comparison', () => {
    expect(ifMatchAllows(undefined, 3)).toBe(true);
    expect(ifMatchAllows('*', 3)).toBe(true);
    expect(ifMatchAllows('"3"', 3)).toBe(true);
    expect(ifMatchAllows('"1" ,"3"', 3)).toBe(true);
    expect(ifMatchAllows('W/"3"', 3)).toBe(false);
    expect(ifMatchAllows('"2"', 3)).toBe(false);
    expect(ifMatchAllows('3', 3)).toBe(false);
    expect(ifMatchAllows('', 3)).toBe(false);
  });
});

describe('text', () => {
  it('stores NFC, trimmed', () => {
    expect(normaliseText('  Thành ủy Hà Nội '.normalize('NFD'))).toBe('Thành ủy Hà Nội');
    expect(normaliseText(42)).toBe(42);
  });
  it('folds Vietnamese for search', () => {
    expect(foldForSearch('Đảng ủy Chính phủ')).toBe('dang uy chinh phu');
    expect(matchesQuery('HA NOI', 'Thành ủy Hà Nội')).toBe(true);
    expect(matchesQuery('bắc ninh', 'Thành ủy Hà Nội', 'TU')).toBe(false);
    expect(matchesQuery('', 'x')).toBe(true);
  });
});

describe('pagination and media types', () => {
  it('slices pages and reports the total', () => {
    expect(paginate([1, 2, 3, 4, 5], { page: 2, pageSize: 2 })).toEqual({ data: [3, 4], page: 2, pageSize: 2, total: 5 });
    expect(paginate([1, 2, 3], { page: 9, pageSize: 2 })).toEqual({ data: [], page: 9, pageSize: 2, total: 3 });
  });
  it('reads the media type of a Content-Type', () => {
    expect(mediaTypeOf('Application/Merge-Patch+JSON; charset=utf-8')).toBe('application/merge-patch+json');
    expect(mediaTypeOf(undefined)).toBeUndefined();
    expect(mediaTypeOf('')).toBeUndefined();
  });
});
