import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';

import type { TransactionRecord } from '@lgsp/contracts';
import type { Logger } from '@lgsp/observability';

import type { EcsTransactionDocument } from '../shipping/ecs-document.util';
import { octetCountedFrame, syslogFieldsOf, syslogMessageOf } from './syslog-message.util';

export interface SyslogForwarderOptions {
  /** LGSP_SYSLOG_URL: `tcp://host:port` or `tls://host:port`. */
  readonly url: string;
  /** LGSP_SYSLOG_CA: the PEM file of the CA the collector's certificate must chain to (tls:// only; else the system's). */
  readonly caFile?: string;
  /** The CA's PEM itself, instead of caFile. */
  readonly ca?: string | Buffer;
  /** The HOSTNAME field; os.hostname() by default. */
  readonly hostname?: string;
  /** Messages kept while the collector is unreachable; the oldest is dropped beyond. Default 10 000. */
  readonly maxQueue?: number;
  /** Reconnection backoff, doubling from initialMs up to maxMs. Defaults 250 ms and 30 s. */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** A connection attempt's deadline. Default 10 s. */
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface SyslogForwarderCounters {
  /** Messages handed to the collector's connection. */
  readonly sent: number;
  /** Messages dropped because the queue was full (the oldest first) or close's deadline passed. */
  readonly dropped: number;
  readonly connected: boolean;
}

interface Target {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
}

function targetOf(url: string): Target {
  const parsed = new URL(url);
  const tls = parsed.protocol === 'tls:';
  if (!tls && parsed.protocol !== 'tcp:') throw new Error(`syslog ${url}: only tcp:// and tls:// are supported`);
  const port = Number(parsed.port);
  if (!Number.isInteger(port) || port < 1) throw new Error(`syslog ${url}: a port is required`);
  // new URL keeps an IPv6 literal's brackets.
  return { tls, host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * Forwards security events to the SOC's collector as RFC 5424 messages over TCP or TLS, framed by
 * octet counting (RFC 6587 §3.4.1), one message per event. `forward` only formats and queues: it
 * never throws and never waits on the network. One connection, written one frame at a time; a frame
 * counts as sent once the socket has taken it (syslog over TCP has no acknowledgement, so a frame
 * in the kernel's buffer when the connection breaks may be lost: the ledger still holds the event).
 * A frame whose write failed is queued again at the front. While the collector is unreachable,
 * frames wait in a bounded queue — the oldest dropped, and counted, when it is full — and the
 * connection is retried with exponential backoff.
 */
export class SyslogForwarder {
  private readonly target: Target;
  private readonly ca?: string | Buffer;
  private readonly hostname: string;
  private readonly maxQueue: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly connectTimeoutMs: number;
  private readonly logger?: Logger;

  private readonly queue: Buffer[] = [];
  private socket?: Socket;
  private ready = false;
  private writing = false;
  private closing = false;
  private attempt = 0;
  private retryTimer?: NodeJS.Timeout;
  private drained?: () => void;
  private sentCount = 0;
  private droppedCount = 0;

  constructor(options: SyslogForwarderOptions) {
    this.target = targetOf(options.url);
    // Read once at start-up, where a missing file should stop the service.
    this.ca = options.ca ?? (options.caFile === undefined ? undefined : readFileSync(options.caFile));
    this.hostname = options.hostname ?? osHostname();
    this.maxQueue = Math.max(1, options.maxQueue ?? 10_000);
    this.initialBackoffMs = options.backoff?.initialMs ?? 250;
    this.maxBackoffMs = options.backoff?.maxMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.logger = options.logger;
  }

  get counters(): SyslogForwarderCounters {
    return { sent: this.sentCount, dropped: this.droppedCount, connected: this.ready };
  }

  get sent(): number {
    return this.sentCount;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  get connected(): boolean {
    return this.ready;
  }

  /** Messages waiting for the collector. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Queues the message of a transaction's security event (nothing for one without); true when
   * queued. Never throws, never blocks: the connection is made or used in the background.
   */
  forward(value: EcsTransactionDocument | TransactionRecord): boolean {
    try {
      if (this.closing) return false;
      const fields = syslogFieldsOf(value);
      if (fields === undefined) return false;
      this.enqueue(octetCountedFrame(syslogMessageOf(fields, this.hostname)));
      if (this.ready) this.pump();
      else if (this.socket === undefined && this.retryTimer === undefined) this.connect();
      return true;
    } catch (error) {
      this.logger?.warn({ err: error }, 'syslog: a security event could not be queued');
      return false;
    }
  }

  /**
   * Sends what is queued, for at most `deadlineMs`, then closes the connection; what is still queued
   * at the deadline is counted as dropped.
   */
  async close(deadlineMs = 5000): Promise<void> {
    this.closing = true;
    if (this.queue.length > 0 || this.writing) {
      if (this.socket === undefined && this.retryTimer === undefined) this.connect();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadlineMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.drained = undefined;
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.droppedCount += this.queue.length;
    this.queue.length = 0;
    const socket = this.socket;
    this.socket = undefined;
    this.ready = false;
    if (socket !== undefined && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.destroy();
          resolve();
        }, Math.max(100, deadlineMs));
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.end();
      });
    }
  }

  private enqueue(frame: Buffer): void {
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.droppedCount++;
    }
    this.queue.push(frame);
  }

  private connect(): void {
    this.retryTimer = undefined;
    const { host, port } = this.target;
    const socket = this.target.tls
      ? tlsConnect({
          host,
          port,
          ca: this.ca,
          // The collector's name is checked against its certificate (checkServerIdentity); SNI only for a name.
          ...(isIP(host) === 0 && { servername: host }),
          rejectUnauthorized: true,
        })
      : netConnect({ host, port });
    this.socket = socket;
    socket.setTimeout(this.connectTimeoutMs, () => socket.destroy(new Error(`no connection within ${this.connectTimeoutMs} ms`)));
    socket.once(this.target.tls ? 'secureConnect' : 'connect', () => {
      socket.setTimeout(0);
      socket.setKeepAlive(true, 60_000);
      if (this.attempt > 0) this.logger?.info({ syslog: { host, port } }, 'syslog: connected to the collector');
      this.attempt = 0;
      this.ready = true;
      this.pump();
    });
    // Anything the collector says is ignored (RFC 6587: the transport is one way).
    socket.on('data', () => undefined);
    socket.on('error', (error) => {
      if (this.attempt === 0 && !this.closing) this.logger?.warn({ err: error, syslog: { host, port } }, 'syslog: the collector is unreachable; queuing');
    });
    socket.once('close', () => this.lost(socket));
  }

  private lost(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.ready = false;
    if (this.closing && this.queue.length === 0 && !this.writing) return;
    const delay = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    // A forwarder waiting for its collector does not keep the process alive.
    this.retryTimer.unref();
  }

  private pump(): void {
    if (this.writing || !this.ready) return;
    const socket = this.socket;
    const frame = this.queue.shift();
    if (socket === undefined || frame === undefined) {
      if (frame === undefined) this.drained?.();
      return;
    }
    this.writing = true;
    socket.write(frame, (error) => {
      this.writing = false;
      if (error !== undefined && error !== null) {
        // Back at the front, unless newer events have filled the queue meanwhile.
        if (this.queue.length < this.maxQueue) this.queue.unshift(frame);
        else this.droppedCount++;
        return;
      }
      this.sentCount++;
      this.pump();
    });
  }
}
