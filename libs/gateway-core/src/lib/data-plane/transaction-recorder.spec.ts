import type { TransactionRecord } from '@lgsp/contracts';
import type { TransactionSink } from '@lgsp/ledger-client';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { GatewayContext } from '../chain/gateway-context.type';
import { recordTransaction } from './transaction-recorder';

class ListSink implements TransactionSink {
  readonly records: TransactionRecord[] = [];
  readonly pending = 0;
  record(record: TransactionRecord): void {
    this.records.push(record);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

function exchange(status: number): { context: GatewayContext; request: FastifyRequest; reply: FastifyReply; lines: string[] } {
  const lines: string[] = [];
  const request = { method: 'GET', ip: '10.0.0.9', log: { info: (_fields: object, message: string) => void lines.push(message) } } as unknown as FastifyRequest;
  const reply = { statusCode: status, elapsedTime: 1.25, getHeader: () => '12' } as unknown as FastifyReply;
  const context = { request, reply, transactionId: `0190f5d2-0000-7000-8000-00000000000${status % 10}`, receivedAt: Date.now(), path: '/v1/directory/organisations', query: '', bytesIn: 0 } as GatewayContext;
  return { context, request, reply, lines };
}

describe('recordTransaction and LGSP_ACCESS_LOG', () => {
  it.each([
    ['all', 200, 1],
    ['all', 401, 1],
    ['errors', 200, 0],
    ['errors', 401, 1],
    ['errors', 502, 1],
    ['off', 401, 0],
  ] as const)('with %s, a %i answer writes %i access line(s) and always its ledger record', (mode, status, expectedLines) => {
    const sink = new ListSink();
    const { context, request, reply, lines } = exchange(status);
    recordTransaction(sink, context, request, reply, undefined, mode);
    expect(lines).toHaveLength(expectedLines);
    expect(sink.records).toEqual([expect.objectContaining({ transactionId: context.transactionId, status, clientIp: '10.0.0.9', service: 'gateway' })]);
  });
});
