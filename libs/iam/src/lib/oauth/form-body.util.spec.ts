import { isFormContentType, parseFormBody } from './form-body.util';
import { OAuthParams } from './oauth-request.util';
import { OAuthError } from './oauth.error';

describe('parseFormBody', () => {
  it('decodes + and %XX (UTF-8), keeps repeated parameters visible, and has no prototype', () => {
    const fields = parseFormBody('a=1+2&b=%C3%B1%3A%25&c=&a=3&__proto__=x&constructor=y&bad=%ZZ');
    expect(Object.entries(fields)).toEqual([
      ['a', ['1 2', '3']],
      ['b', 'ñ:%'],
      ['c', ''],
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['bad', '%ZZ'],
    ]);
    expect(Object.getPrototypeOf(fields)).toBeNull();
  });

  it('recognises the form media type with parameters, in any case', () => {
    expect(isFormContentType('application/x-www-form-urlencoded')).toBe(true);
    expect(isFormContentType('Application/X-WWW-Form-URLEncoded; charset=UTF-8')).toBe(true);
    expect(isFormContentType('application/json')).toBe(false);
    expect(isFormContentType('application/x-www-form-urlencoded-not')).toBe(false);
    expect(isFormContentType(undefined)).toBe(false);
  });
});

describe('OAuthParams', () => {
  it('treats an empty value as absent (RFC 6749 §3.1)', () => {
    const params = OAuthParams.from(parseFormBody('grant_type=&scope=a'));
    expect(params.get('grant_type')).toBeUndefined();
    expect(params.get('scope')).toBe('a');
    expect(params.get('missing')).toBeUndefined();
  });

  it('refuses a repeated parameter, naming only known ones', () => {
    expect(() => OAuthParams.from(parseFormBody('scope=a&scope=b'))).toThrow(new OAuthError('invalid_request' as never, 'The parameter scope is given more than once'));
    expect(() => OAuthParams.from(parseFormBody('s3cr3t&s3cr3t'))).toThrow('A parameter is given more than once');
  });
});
