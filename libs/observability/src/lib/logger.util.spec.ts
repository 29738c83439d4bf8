import { createLogger } from './logger.util';

describe('createLogger', () => {
  function capture(level = 'info') {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ service: 'lgsp-test', level, destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    return { logger, lines };
  }

  it('writes ECS lines with the service name', () => {
    const { logger, lines } = capture();
    logger.child({ transaction: { id: 't-1' } }).info({ event: { action: 'x' } }, 'hello');
    expect(lines).toEqual([
      expect.objectContaining({ 'log.level': 'info', '@timestamp': expect.any(String), 'ecs.version': expect.any(String), service: { name: 'lgsp-test' }, transaction: { id: 't-1' }, message: 'hello' }),
    ]);
  });

  it('redacts credentials and bodies should any code path ever pass them', () => {
    const { logger, lines } = capture();
    logger.info({ headers: { authorization: 'Bearer canary-1' }, body: { secret: 'canary-2' }, client_secret: 'canary-3', password: 'canary-4', token: 'canary-5' }, 'oops');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/canary/);
    expect(lines[0]).toMatchObject({ headers: { authorization: '[redacted]' }, body: '[redacted]', client_secret: '[redacted]' });
  });

  it('honours the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((l) => l.message)).toEqual(['loud']);
  });
});
