import type { Problem } from '@lgsp/contracts';

import type { SoapVersion } from './soap-request.util';

/** The namespace of the problem carried in a fault's detail: the same members as problem+json. */
export const LGSP_PROBLEM_NAMESPACE = 'urn:lgsp:problem';
export const SOAP11_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_ENVELOPE_NAMESPACE = 'http://www.w3.org/2003/05/soap-envelope';

export const SOAP_FAULT_CONTENT_TYPE: Readonly<Record<SoapVersion, string>> = {
  '1.1': 'text/xml; charset=utf-8',
  '1.2': 'application/soap+xml; charset=utf-8',
};

const XML_SPECIAL = /[&<>"']/g;
const XML_ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
// Characters XML 1.0 cannot carry at all, escaped or not (controls, lone surrogates, U+FFFE/FFFF).
const XML_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content or attribute value: markup escaped, characters XML cannot hold replaced by U+FFFD. */
export function escapeXml(value: string): string {
  return value.replace(XML_FORBIDDEN, '\uFFFD').replace(XML_SPECIAL, (c) => XML_ENTITY[c]);
}

function element(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `<lgsp:${name}>${escapeXml(String(value))}</lgsp:${name}>`;
}

/** The problem+json members as XML, in the fault's detail, so a SOAP client finds the same code and ids. */
function problemXml(problem: Problem): string {
  const errors =
    problem.errors === undefined || problem.errors.length === 0
      ? ''
      : `<lgsp:errors>${problem.errors.map((e) => `<lgsp:error>${element('location', e.location)}${element('message', e.message)}${element('rule', e.rule)}</lgsp:error>`).join('')}</lgsp:errors>`;
  return (
    `<lgsp:problem xmlns:lgsp="${LGSP_PROBLEM_NAMESPACE}">` +
    element('type', problem.type) +
    element('title', problem.title) +
    element('status', problem.status) +
    element('code', problem.code) +
    element('detail', problem.detail) +
    element('requestId', problem.requestId) +
    element('transactionId', problem.transactionId) +
    element('errorId', problem.errorId) +
    element('rule', problem.rule) +
    element('earliest', problem.earliest) +
    errors +
    '</lgsp:problem>'
  );
}

/**
 * A refusal as a SOAP Fault of the request's version: the client's fault (soap:Client, env:Sender)
 * below 500, the platform's or the provider's (soap:Server, env:Receiver) from 500. The HTTP status
 * stays the contract's, not SOAP 1.1's customary 500, so status-based monitoring and retries treat
 * SOAP and REST calls alike.
 */
export function soapFaultOf(problem: Problem, version: SoapVersion): string {
  const reason = escapeXml(problem.detail ?? problem.title);
  const client = problem.status < 500;
  if (version === '1.1') {
    return (
      '<?xml version="1.0" encoding="utf-8"?>' +
      `<soap:Envelope xmlns:soap="${SOAP11_ENVELOPE_NAMESPACE}"><soap:Body><soap:Fault>` +
      `<faultcode>${client ? 'soap:Client' : 'soap:Server'}</faultcode>` +
      `<faultstring>${reason}</faultstring>` +
      `<detail>${problemXml(problem)}</detail>` +
      '</soap:Fault></soap:Body></soap:Envelope>'
    );
  }
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<env:Envelope xmlns:env="${SOAP12_ENVELOPE_NAMESPACE}"><env:Body><env:Fault>` +
    `<env:Code><env:Value>${client ? 'env:Sender' : 'env:Receiver'}</env:Value></env:Code>` +
    `<env:Reason><env:Text xml:lang="en">${reason}</env:Text></env:Reason>` +
    `<env:Detail>${problemXml(problem)}</env:Detail>` +
    '</env:Fault></env:Body></env:Envelope>'
  );
}
