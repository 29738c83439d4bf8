import { parseFormBody } from '../oauth/form-body.util';
import { OAuthParams } from '../oauth/oauth-request.util';
import { presentedCredentials } from './presented-credentials.util';

const params = (body: string) => OAuthParams.from(parseFormBody(body));
const basic = (raw: string) => `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;
const ASSERTION_TYPE = 'client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer';

describe('presentedCredentials', () => {
  it('form-decodes both halves of Basic, splitting at the first colon', () => {
    expect(presentedCredentials(params(''), basic('my%3Aclient:p%3Aw+d%25%2B'))).toEqual({ method: 'client_secret_basic', clientId: 'my:client', secret: 'p:w d%+' });
    expect(presentedCredentials(params(''), basic('client:a:b'))).toEqual({ method: 'client_secret_basic', clientId: 'client', secret: 'a:b' });
    expect(presentedCredentials(params(''), `basic   ${Buffer.from('c:s').toString('base64')}`)).toMatchObject({ clientId: 'c', secret: 's' });
  });

  it.each([['Basic'], ['Basic !!!'], [basic('no-colon')], [basic(':secret')], [basic('client:')], [basic('client:%ZZ')], ['Bearer abc'], ['Digest x=y']])(
    'reads %s as malformed Basic credentials',
    (authorization) => {
      expect(presentedCredentials(params(''), authorization)).toEqual({ method: 'client_secret_basic', malformed: true });
    },
  );

  it('reads client_secret_post and private_key_jwt, and no method', () => {
    expect(presentedCredentials(params('client_id=c&client_secret=s'), undefined)).toEqual({ method: 'client_secret_post', clientId: 'c', secret: 's' });
    expect(presentedCredentials(params(`${ASSERTION_TYPE}&client_assertion=a.b.c`), undefined)).toEqual({ method: 'private_key_jwt', clientId: undefined, assertion: 'a.b.c' });
    expect(presentedCredentials(params('client_id=c'), undefined)).toEqual({ method: 'none', clientId: 'c' });
  });

  it.each([
    ['Basic and post', 'client_id=c&client_secret=s', basic('c:s'), 'Use exactly one client authentication method'],
    ['post and an assertion', `client_id=c&client_secret=s&${ASSERTION_TYPE}&client_assertion=a`, undefined, 'Use exactly one client authentication method'],
    ['Basic and an assertion', `${ASSERTION_TYPE}&client_assertion=a`, basic('c:s'), 'Use exactly one client authentication method'],
    ['a secret without client_id', 'client_secret=s', undefined, 'client_secret_post requires client_id'],
    ['an assertion without its type', 'client_assertion=a', undefined, 'private_key_jwt requires client_assertion and client_assertion_type'],
    ['another assertion type', 'client_assertion_type=saml&client_assertion=a', undefined, 'client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
    ['Basic and another client_id', 'client_id=other', basic('c:s'), 'client_id does not match the client of the Authorization header'],
  ])('refuses %s as invalid_request', (_name, body, authorization, description) => {
    expect(() => presentedCredentials(params(body), authorization)).toThrow(description);
  });
});
