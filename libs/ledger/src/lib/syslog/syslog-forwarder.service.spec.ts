import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as TlsServer, createServer as createTlsServer } from 'node:tls';

import type { TransactionRecord } from '@lgsp/contracts';
import { ErrorCode } from '@lgsp/contracts';

import { ecsDocumentOf } from '../shipping/ecs-document.util';
import { SyslogForwarder } from './syslog-forwarder.service';
import { SYSLOG_SD_ID, escapeSdParamValue, isSecurityEvent, octetCountedFrame, syslogFieldsOf, syslogMessageOf } from './syslog-message.util';

const record: TransactionRecord = {
  transactionId: '0190f5d2-1c4e-7a3b-8f00-000000000001',
  requestId: '3b241101-e2bb-4255-8caf-4136c566a962',
  receivedAt: '2025-01-02T03:04:05.678Z',
  durationMs: 3,
  clientIp: '203.0.113.7',
  method: 'POST',
  path: '/v1/directory/organisations',
  apiVersion: 'v1',
  apiDomain: 'directory',
  consumerId: 'tu-ha-noi.qlcb',
  status: 409,
  errorCode: ErrorCode.ReplayDetected,
  bytesIn: 10,
  bytesOut: 100,
  securityEvent: 'replay-detected',
};

const EXPECTED =
  '<105>1 2025-01-02T03:04:05.678Z gw-1 lgsp - replay-detected ' +
  '[lgsp@32473 transactionId="0190f5d2-1c4e-7a3b-8f00-000000000001" requestId="3b241101-e2bb-4255-8caf-4136c566a962" ' +
  'consumerId="tu-ha-noi.qlcb" clientIp="203.0.113.7" status="409" errorCode="replay_detected" api="/v1/directory"] ' +
  'A signed request reused an X-Request-ID already seen';

/** A collector: splits the octet-counted stream back into messages, checking every length. */
class Collector {
  readonly messages: string[] = [];
  private readonly sockets = new Set<Socket>();

  constructor(readonly server: Server) {
    server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => this.accept(socket));
  }

  accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const space = buffered.indexOf(0x20);
        if (space === -1) return;
        const length = Number(buffered.subarray(0, space).toString('ascii'));
        if (!Number.isInteger(length) || length <= 0) throw new Error(`bad frame length: ${buffered.subarray(0, space).toString()}`);
        if (buffered.length < space + 1 + length) return;
        this.messages.push(buffered.subarray(space + 1, space + 1 + length).toString('utf8'));
        buffered = buffered.subarray(space + 1 + length);
      }
    });
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA and a leaf it issues for the given subjectAltName, EC P-256, valid one day. */
function issue(dir: string, name: string, ca: string, san: string): void {
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
}

function authority(dir: string, name: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

describe('syslog messages', () => {
  it('formats an RFC 5424 message with the event as MSGID and the transaction as structured data', () => {
    const fields = syslogFieldsOf(record);
    expect(fields).toBeDefined();
    // Facility 13 (log audit) × 8 + severity 1 (alert) = 105.
    expect(syslogMessageOf(fields!, 'gw-1')).toBe(EXPECTED);
    expect(SYSLOG_SD_ID).toBe('lgsp@32473');
  });

  it('says the same from the indexed document as from the record', () => {
    expect(syslogFieldsOf(ecsDocumentOf(record))).toEqual(syslogFieldsOf(record));
    expect(isSecurityEvent(ecsDocumentOf(record))).toBe(true);
    expect(isSecurityEvent(ecsDocumentOf({ ...record, securityEvent: undefined }))).toBe(false);
    expect(isSecurityEvent({ ...record, securityEvent: undefined })).toBe(false);
  });

  it('escapes ", \\ and ] in parameter values, and frames by the byte length', () => {
    expect(escapeSdParamValue('a"b\\c]d[e')).toBe('a\\"b\\\\c\\]d[e');
    const message = syslogMessageOf(syslogFieldsOf({ ...record, consumerId: 'x"] [evil@1 a="1' })!, 'gw 1\n');
    expect(message).toContain(' gw1 lgsp - ');
    expect(message).toContain('consumerId="x\\"\\] [evil@1 a=\\"1"');
    const frame = octetCountedFrame('<109>1 - - lgsp - x - Mật');
    expect(frame.toString('utf8')).toBe('27 <109>1 - - lgsp - x - Mật');
  });

  it('carries severity by event: warning for a single authentication failure, notice for a classified access', () => {
    expect(syslogMessageOf(syslogFieldsOf({ ...record, securityEvent: 'authentication-failure' })!, 'h')).toMatch(/^<108>1 /);
    expect(syslogMessageOf(syslogFieldsOf({ ...record, securityEvent: 'classified-access' })!, 'h')).toMatch(/^<109>1 /);
  });
});

describe('SyslogForwarder', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-syslog-'));
    authority(dir, 'ca');
    authority(dir, 'other-ca');
    issue(dir, 'collector', 'ca', 'IP:127.0.0.1,DNS:localhost');
    issue(dir, 'elsewhere', 'ca', 'DNS:other.example');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pem = (name: string) => readFileSync(join(dir, `${name}.pem`));
  const key = (name: string) => readFileSync(join(dir, `${name}.key`));

  it('sends one octet-counted message per security event over TCP, in order, and nothing for a plain transaction', async () => {
    const collector = new Collector(createNetServer());
    const port = await collector.listen();
    const forwarder = new SyslogForwarder({ url: `tcp://127.0.0.1:${port}`, hostname: 'gw-1' });
    try {
      expect(forwarder.forward({ ...record, securityEvent: undefined })).toBe(false);
      expect(forwarder.forward(record)).toBe(true);
      expect(forwarder.forward(ecsDocumentOf({ ...record, consumerId: 'a]"\\b', securityEvent: 'signature-failure', status: 401, errorCode: ErrorCode.SignatureInvalid }))).toBe(true);
      await until(() => collector.messages.length === 2);
      expect(collector.messages[0]).toBe(EXPECTED);
      expect(collector.messages[1]).toContain('<108>1 2025-01-02T03:04:05.678Z gw-1 lgsp - signature-failure [lgsp@32473 ');
      expect(collector.messages[1]).toContain(' consumerId="a\\]\\"\\\\b" ');
      expect(collector.messages[1]).toContain(' status="401" errorCode="signature_invalid" ');
      expect(forwarder.counters).toEqual({ sent: 2, dropped: 0, connected: true });
    } finally {
      await forwarder.close(1000);
      await collector.close();
    }
  });

  it('never throws: a record it cannot read is refused, not raised', () => {
    const forwarder = new SyslogForwarder({ url: 'tcp://127.0.0.1:9' });
    expect(forwarder.forward({ securityEvent: 'replay-detected' } as unknown as TransactionRecord)).toBe(false);
    expect(forwarder.forward(null as unknown as TransactionRecord)).toBe(false);
    expect(() => new SyslogForwarder({ url: 'udp://127.0.0.1:514' })).toThrow(/only tcp/);
  });

  it('queues while the collector is down, drops the oldest past the bound, and delivers the rest once it is up', async () => {
    // A port that was free a moment ago: nobody listens on it until the collector starts.
    const probe = new Collector(createNetServer());
    const port = await probe.listen();
    await probe.close();
    const forwarder = new SyslogForwarder({ url: `tcp://127.0.0.1:${port}`, hostname: 'gw-1', maxQueue: 3, backoff: { initialMs: 10, maxMs: 50 } });
    const collector = new Collector(createNetServer());
    try {
      for (let i = 1; i <= 4; i++) forwarder.forward({ ...record, transactionId: `tx-${i}` });
      expect(forwarder.counters).toEqual({ sent: 0, dropped: 1, connected: false });
      expect(forwarder.queued).toBe(3);
      await collector.listen(port);
      await until(() => collector.messages.length === 3);
      expect(collector.messages.map((m) => /transactionId="([^"]+)"/.exec(m)?.[1])).toEqual(['tx-2', 'tx-3', 'tx-4']);
      expect(forwarder.counters).toEqual({ sent: 3, dropped: 1, connected: true });
    } finally {
      await forwarder.close(1000);
      await collector.close();
    }
  });

  it('reconnects after the collector drops the connection', async () => {
    const collector = new Collector(createNetServer());
    const port = await collector.listen();
    const forwarder = new SyslogForwarder({ url: `tcp://127.0.0.1:${port}`, hostname: 'gw-1', backoff: { initialMs: 10, maxMs: 50 } });
    try {
      forwarder.forward({ ...record, transactionId: 'before' });
      await until(() => collector.messages.length === 1);
      await collector.close();
      await until(() => !forwarder.connected);
      forwarder.forward({ ...record, transactionId: 'after' });
      const reopened = new Collector(createNetServer());
      await reopened.listen(port);
      await until(() => reopened.messages.length === 1);
      expect(reopened.messages[0]).toContain('transactionId="after"');
      await forwarder.close(1000);
      await reopened.close();
    } finally {
      await forwarder.close(100);
    }
  });

  it('counts what close could not deliver by its deadline as dropped', async () => {
    const probe = new Collector(createNetServer());
    const port = await probe.listen();
    await probe.close();
    const forwarder = new SyslogForwarder({ url: `tcp://127.0.0.1:${port}`, backoff: { initialMs: 10, maxMs: 20 } });
    forwarder.forward(record);
    forwarder.forward(record);
    await forwarder.close(50);
    expect(forwarder.counters).toEqual({ sent: 0, dropped: 2, connected: false });
    expect(forwarder.forward(record)).toBe(false);
  });

  it('sends over TLS to a collector whose certificate chains to the configured CA and names its host', async () => {
    const collector = new Collector(createTlsServer({ cert: pem('collector'), key: key('collector') }));
    const port = await collector.listen();
    writeFileSync(join(dir, 'ca-file.pem'), pem('ca'));
    const forwarder = new SyslogForwarder({ url: `tls://127.0.0.1:${port}`, caFile: join(dir, 'ca-file.pem'), hostname: 'gw-1' });
    try {
      forwarder.forward(record);
      await until(() => collector.messages.length === 1);
      expect(collector.messages[0]).toBe(EXPECTED);
      expect(forwarder.counters).toEqual({ sent: 1, dropped: 0, connected: true });
    } finally {
      await forwarder.close(1000);
      await collector.close();
    }
  });

  it.each([
    ['a certificate from another CA', 'collector', 'other-ca'],
    ['a certificate for another name', 'elsewhere', 'ca'],
  ])('refuses a TLS collector presenting %s and keeps the events queued', async (_case, leaf, trusted) => {
    const server = createTlsServer({ cert: pem(leaf), key: key(leaf) });
    let connections = 0;
    server.on('connection', () => connections++);
    const collector = new Collector(server);
    const port = await collector.listen();
    const forwarder = new SyslogForwarder({ url: `tls://127.0.0.1:${port}`, ca: pem(trusted), backoff: { initialMs: 10, maxMs: 20 } });
    try {
      forwarder.forward(record);
      // Refused twice (the first attempt and a retry), with nothing delivered.
      await until(() => connections >= 3);
      expect(collector.messages).toEqual([]);
      expect(forwarder.counters).toEqual({ sent: 0, dropped: 0, connected: false });
      expect(forwarder.queued).toBe(1);
    } finally {
      await forwarder.close(50);
      await collector.close();
    }
  });
});
