import type { SecurityEvent, TransactionRecord } from '@lgsp/contracts';

import type { EcsTransactionDocument } from '../shipping/ecs-document.util';

/**
 * RFC 5424 facility 13, "log audit": these are audit records of the platform's transaction ledger
 * for the SOC's SIEM, not the host's own authentication messages (10, authpriv, is where a host's
 * PAM and sshd write; a collector filing by facility should not mix the two).
 */
export const SYSLOG_FACILITY = 13;

/**
 * The STRUCTURED-DATA element's SD-ID. 32473 is the example Private Enterprise Number RFC 5612
 * reserves for documentation: a deployment with its own PEN replaces it here, and only here.
 */
export const SYSLOG_SD_ID = 'lgsp@32473';

export const SYSLOG_APP_NAME = 'lgsp';

/** RFC 5424 §6.2.1 severities used here. */
export const SyslogSeverity = { alert: 1, warning: 4, notice: 5 } as const;
export type SyslogSeverity = (typeof SyslogSeverity)[keyof typeof SyslogSeverity];

/**
 * Alert (act now): a replayed signed request, a locked-out client, a revoked token used, a
 * suspended consumer system calling — each is someone using what they should no longer have.
 * Notice: every classified access (expected traffic the SOC must be able to audit) and the end of a
 * throttle outage. Warning: the rest.
 */
export const SYSLOG_SEVERITY: Readonly<Record<SecurityEvent, SyslogSeverity>> = {
  'replay-detected': SyslogSeverity.alert,
  'authentication-locked-out': SyslogSeverity.alert,
  'token-revoked-use': SyslogSeverity.alert,
  'suspended-consumer-attempt': SyslogSeverity.alert,
  'signature-failure': SyslogSeverity.warning,
  'authentication-failure-burst': SyslogSeverity.warning,
  'authentication-failure': SyslogSeverity.warning,
  'throttle-burst': SyslogSeverity.warning,
  'classified-access': SyslogSeverity.notice,
  'throttle-degraded': SyslogSeverity.warning,
  'throttle-recovered': SyslogSeverity.notice,
};

/** The MSG part: one short English sentence per event (details are in the structured data). */
const SENTENCES: Readonly<Record<SecurityEvent, string>> = {
  'replay-detected': 'A signed request reused an X-Request-ID already seen',
  'authentication-locked-out': 'A client was locked out after repeated authentication failures',
  'token-revoked-use': 'A revoked access token was presented',
  'suspended-consumer-attempt': 'A suspended or terminated consumer system attempted a call',
  'signature-failure': 'A request signature was refused',
  'authentication-failure-burst': 'Repeated authentication failures from one client or address',
  'authentication-failure': 'An access token or client credential was refused',
  'throttle-burst': "A consumer system's rate limit started refusing its calls",
  'classified-access': 'A call was made to an operation classified Mat or Toi mat',
  'throttle-degraded': 'The shared throttle store is unreachable: replicas decide alone',
  'throttle-recovered': 'The shared throttle store is reachable again',
};

/** What a syslog message says about one transaction: taken field by field, never a body or a token. */
export interface SyslogEventFields {
  readonly event: SecurityEvent;
  /** RFC 3339 with milliseconds. */
  readonly timestamp: string;
  readonly transactionId: string;
  readonly requestId?: string;
  readonly consumerId?: string;
  readonly clientIp?: string;
  readonly status?: number;
  readonly errorCode?: string;
  /** `/v1/directory`. */
  readonly api?: string;
}

const SECURITY_EVENT_NAMES: ReadonlySet<string> = new Set(Object.keys(SYSLOG_SEVERITY));

function isDocument(value: EcsTransactionDocument | TransactionRecord): value is EcsTransactionDocument {
  return (value as Partial<EcsTransactionDocument>).ecs !== undefined;
}

function apiLabel(domain: string | undefined, version: string | undefined): string | undefined {
  if (domain === undefined && version === undefined) return undefined;
  return `/${version ?? '-'}/${domain ?? '-'}`;
}

/** Whether an indexed document (or a record) carries a security event the SOC is forwarded. */
export function isSecurityEvent(value: EcsTransactionDocument | TransactionRecord): boolean {
  const event = isDocument(value) ? value.lgsp.security_event : value.securityEvent;
  return event !== undefined && SECURITY_EVENT_NAMES.has(event);
}

/** The fields of a security event's message; undefined for a transaction that carries none. */
export function syslogFieldsOf(value: EcsTransactionDocument | TransactionRecord): SyslogEventFields | undefined {
  if (isDocument(value)) {
    const event = value.lgsp.security_event;
    if (event === undefined || !SECURITY_EVENT_NAMES.has(event)) return undefined;
    return {
      event: event as SecurityEvent,
      timestamp: value['@timestamp'],
      transactionId: value.transaction.id,
      requestId: value.http.request.id,
      consumerId: value.lgsp.consumer?.id,
      clientIp: value.client.ip,
      status: value.http.response.status_code,
      errorCode: value.error?.code,
      api: apiLabel(value.lgsp.api?.domain, value.lgsp.api?.version),
    };
  }
  const event = value.securityEvent;
  if (event === undefined || !SECURITY_EVENT_NAMES.has(event)) return undefined;
  return {
    event,
    timestamp: value.receivedAt,
    transactionId: value.transactionId,
    requestId: value.requestId,
    consumerId: value.consumerId,
    clientIp: value.clientIp,
    status: value.status,
    errorCode: value.errorCode,
    api: apiLabel(value.apiDomain, value.apiVersion),
  };
}

/** RFC 5424 §6.3.3: `"`, `\` and `]` are escaped with a backslash inside a PARAM-VALUE. */
export function escapeSdParamValue(value: string): string {
  return value.replace(/["\\\]]/g, '\\$&');
}

/** RFC 5424 §6.2.4: printable US-ASCII without spaces, at most 255 characters; NILVALUE when empty. */
export function syslogHostnameOf(hostname: string): string {
  const cleaned = hostname.replace(/[^\x21-\x7e]/g, '').slice(0, 255);
  return cleaned === '' ? '-' : cleaned;
}

/** RFC 3339 with milliseconds in UTC, whatever ISO form the record carried; the current time when unreadable. */
function timestampOf(value: string): string {
  const time = Date.parse(value);
  return new Date(Number.isNaN(time) ? Date.now() : time).toISOString();
}

/**
 * One RFC 5424 message (without framing): `<PRI>1 TIMESTAMP HOSTNAME lgsp - MSGID [SD] MSG`, the MSG
 * BOM-less UTF-8 (RFC 5424 allows it; the sentences are ASCII anyway).
 */
export function syslogMessageOf(fields: SyslogEventFields, hostname: string): string {
  const pri = SYSLOG_FACILITY * 8 + SYSLOG_SEVERITY[fields.event];
  let sd = `[${SYSLOG_SD_ID} transactionId="${escapeSdParamValue(fields.transactionId)}"`;
  if (fields.requestId !== undefined) sd += ` requestId="${escapeSdParamValue(fields.requestId)}"`;
  if (fields.consumerId !== undefined) sd += ` consumerId="${escapeSdParamValue(fields.consumerId)}"`;
  if (fields.clientIp !== undefined) sd += ` clientIp="${escapeSdParamValue(fields.clientIp)}"`;
  if (fields.status !== undefined) sd += ` status="${fields.status}"`;
  if (fields.errorCode !== undefined) sd += ` errorCode="${escapeSdParamValue(fields.errorCode)}"`;
  if (fields.api !== undefined) sd += ` api="${escapeSdParamValue(fields.api)}"`;
  sd += ']';
  return `<${pri}>1 ${timestampOf(fields.timestamp)} ${syslogHostnameOf(hostname)} ${SYSLOG_APP_NAME} - ${fields.event} ${sd} ${SENTENCES[fields.event]}`;
}

/** RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function octetCountedFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
