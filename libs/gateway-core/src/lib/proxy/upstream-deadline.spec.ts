import { UpstreamDeadline, UpstreamDeadlineError } from './upstream-deadline';

describe('UpstreamDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('aborts the listening call at the deadline, with its reason, once', () => {
    const deadline = new UpstreamDeadline(2000);
    const listener = jest.fn();
    deadline.once('abort', listener);
    jest.advanceTimersByTime(1999);
    expect(deadline.aborted).toBe(false);
    expect(listener).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(deadline.aborted).toBe(true);
    expect(deadline.reason).toBeInstanceOf(UpstreamDeadlineError);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('tells a call that is retried after the first listener left, and none once cleared', () => {
    const deadline = new UpstreamDeadline(100);
    const first = jest.fn();
    const second = jest.fn();
    deadline.on('abort', first);
    deadline.removeListener('abort', first);
    deadline.on('abort', second);
    jest.advanceTimersByTime(100);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);

    const cleared = new UpstreamDeadline(100);
    const listener = jest.fn();
    cleared.on('abort', listener);
    cleared.clear();
    jest.advanceTimersByTime(1000);
    expect(listener).not.toHaveBeenCalled();
    expect(cleared.aborted).toBe(false);
  });

  it('keeps a newer listener when an older one is removed', () => {
    const deadline = new UpstreamDeadline(10);
    const older = jest.fn();
    const newer = jest.fn();
    deadline.on('abort', newer);
    deadline.removeListener('abort', older);
    jest.advanceTimersByTime(10);
    expect(newer).toHaveBeenCalledTimes(1);
  });
});
