import { traceContextOf } from './traceparent.util';

const TX = '0190f5d2-9c3a-7b4e-8f00-a1b2c3d4e5f6';

describe('traceContextOf', () => {
  it('continues a valid incoming trace with the gateway as the new parent', () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(traceContextOf(incoming, TX)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-8f00a1b2c3d4e5f6-01',
    });
  });

  it.each([undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', ['a', 'b']])(
    'starts a trace named by the transaction id for %j',
    (incoming) => {
      expect(traceContextOf(incoming as string | undefined, TX)).toEqual({
        traceId: '0190f5d29c3a7b4e8f00a1b2c3d4e5f6',
        traceparent: '00-0190f5d29c3a7b4e8f00a1b2c3d4e5f6-8f00a1b2c3d4e5f6-00',
      });
    },
  );
});
