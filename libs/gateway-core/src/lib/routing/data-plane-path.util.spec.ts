import { ErrorCode, LgspError } from '@lgsp/contracts';

import { parseDataPlanePath } from './data-plane-path.util';

describe('parseDataPlanePath', () => {
  it('splits version, domain and the resource path the provider receives', () => {
    expect(parseDataPlanePath('/v1/directory/organisations/42')).toEqual({ version: 'v1', domain: 'directory', resourcePath: '/organisations/42' });
    expect(parseDataPlanePath('/v12/ho-so-dang-vien/a/')).toEqual({ version: 'v12', domain: 'ho-so-dang-vien', resourcePath: '/a/' });
  });

  it.each(['/', '/v1', '/v1/directory', '/v1/directory/', '//directory/x', '/1/directory/x', '/v0/directory/x', '/V1/directory/x', '/v1/Directory/x', 'v1/directory/x'])(
    'answers not_found for %s',
    (path) => {
      const result = parseDataPlanePath(path);
      expect(result).toBeInstanceOf(LgspError);
      expect((result as LgspError).code).toBe(ErrorCode.NotFound);
    },
  );

  it.each(['/v1/directory/../admin', '/v1/directory/a/./b', '/v1/directory/a/..', '/v1/directory/%2e%2E/admin', '/v1/directory/a%2Fb', '/v1/directory/a%5cb', '/v1/directory/a\\b'])(
    'refuses traversal in %s',
    (path) => {
      const result = parseDataPlanePath(path);
      expect((result as LgspError).code).toBe(ErrorCode.ValidationFailed);
    },
  );

  it('keeps dots that are not whole segments', () => {
    expect(parseDataPlanePath('/v1/files/report.v2..pdf')).toMatchObject({ resourcePath: '/report.v2..pdf' });
  });
});
