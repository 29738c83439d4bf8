import { problemOf, ErrorCode } from '@lgsp/contracts';

import { parseSoapFault, parseXml } from '../../../test/xml.util';
import { escapeXml, soapFaultOf } from './soap-fault.util';

describe('escapeXml', () => {
  it('escapes markup and replaces what XML 1.0 cannot carry', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    expect(escapeXml('tab\tnl\ncr\r ok')).toBe('tab\tnl\ncr\r ok');
    expect(escapeXml('nul\u0000 esc\u001b bell\u0007 fffe\uFFFE lone\uD800 pair\u{1F600}')).toBe('nul\uFFFD esc\uFFFD bell\uFFFD fffe\uFFFD lone\uFFFD pair\u{1F600}');
    expect(escapeXml('Nguyễn Văn Ả')).toBe('Nguyễn Văn Ả');
  });
});

describe('soapFaultOf', () => {
  const hostile = `</faultstring><injected/>&amp; "quoted" \u0000]]>`;
  const problem = problemOf(ErrorCode.ValidationFailed, {
    detail: hostile,
    requestId: '7f0c1c9e-8c1a-4d2b-9a51-3f3b1f0e9d10',
    transactionId: '01900000-0000-7000-8000-000000000000',
    errors: [{ location: '/a<b', message: 'bad & worse' }],
  });

  it.each([
    ['1.1', 'soap:Client'],
    ['1.2', 'env:Sender'],
  ] as const)('SOAP %s: well-formed, every value escaped and recovered intact', (version, faultCode) => {
    const xml = soapFaultOf(problem, version);
    expect(() => parseXml(xml)).not.toThrow();
    const fault = parseSoapFault(xml);
    expect(fault).toMatchObject({ version, faultCode, reason: hostile.replace('\u0000', '\uFFFD') });
    expect(fault.problem).toMatchObject({
      code: 'validation_failed',
      status: '400',
      title: problem.title,
      detail: hostile.replace('\u0000', '\uFFFD'),
      requestId: problem.requestId,
      transactionId: problem.transactionId,
    });
    expect(xml).toContain('<lgsp:error><lgsp:location>/a&lt;b</lgsp:location><lgsp:message>bad &amp; worse</lgsp:message></lgsp:error>');
  });

  it("blames the server from 500 on, and reports the title when there is no detail", () => {
    expect(parseSoapFault(soapFaultOf(problemOf(ErrorCode.UpstreamTimeout), '1.1'))).toMatchObject({ faultCode: 'soap:Server', reason: 'The provider service did not answer in time' });
    expect(parseSoapFault(soapFaultOf(problemOf(ErrorCode.CircuitOpen), '1.2'))).toMatchObject({ faultCode: 'env:Receiver', problem: { status: '503' } });
  });
});
