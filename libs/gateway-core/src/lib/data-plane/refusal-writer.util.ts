import type { Problem } from '@lgsp/contracts';
import { sendProblem } from '@lgsp/http';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { SOAP_FAULT_CONTENT_TYPE, soapFaultOf } from '../soap/soap-fault.util';
import { soapVersionOf } from '../soap/soap-request.util';

/**
 * The one way a data-plane refusal leaves: problem+json, or — for a SOAP request (a SOAP content
 * type, or any call to a SOAP API) — a SOAP Fault of the request's version carrying the same
 * status, code and ids. Worked out only when refusing: a served call pays nothing for it.
 */
export function sendRefusal(request: FastifyRequest, reply: FastifyReply, problem: Problem, headers?: Readonly<Record<string, string>>): FastifyReply {
  const version = soapVersionOf(request.headers, request.lgsp?.route?.kind === 'soap');
  if (version === undefined) return sendProblem(reply, problem, headers);
  if (headers) reply.headers(headers);
  return reply.status(problem.status).type(SOAP_FAULT_CONTENT_TYPE[version]).send(soapFaultOf(problem, version));
}
