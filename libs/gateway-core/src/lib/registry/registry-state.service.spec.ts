import { createLogger } from '@lgsp/observability';

import { apiVersion } from '../../../test/registry-view.util';
import type { RegistrySource, RegistryView, SnapshotStore } from './registry-state.service';
import { RegistryState } from './registry-state.service';

function viewOf(...domains: string[]): RegistryView {
  return { apiVersions: domains.map((d) => apiVersion(d)), rateLimits: [], consumers: [], subscriptions: [], blocks: [] };
}

/** A registry that fails while `down`, and a disk copy that records what it was asked to keep. */
class FlakyRegistry implements RegistrySource {
  down = false;
  view = viewOf('directory');
  loads = 0;
  kept: RegistryView[] = [];
  onDisk?: RegistryView;
  readonly lastKnownGood: SnapshotStore = {
    keep: async (view) => void this.kept.push(view),
    read: async () => this.onDisk,
  };
  private recovered?: () => void;

  async load(): Promise<RegistryView> {
    this.loads++;
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    this.recovered?.();
    return this.view;
  }

  onChange(): () => void {
    return () => undefined;
  }

  /** Resolves at the next successful load. */
  nextSuccess(): Promise<void> {
    return new Promise((resolve) => (this.recovered = resolve));
  }
}

describe('RegistryState', () => {
  let lines: string[];
  let registry: FlakyRegistry;
  let state: RegistryState;
  const logged = (action: string) => lines.map((l) => JSON.parse(l)).filter((l) => l.event?.action === action);

  beforeEach(() => {
    lines = [];
    registry = new FlakyRegistry();
    const logger = createLogger({ service: 'test', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    state = new RegistryState(registry, logger, { publicUrl: 'https://lgsp.example', retryMinMs: 1, retryMaxMs: 4 });
  });

  afterEach(() => state.stop());

  it('serves the live snapshot and keeps each one that built a table on disk', async () => {
    await state.start();
    expect(state).toMatchObject({ loaded: true, snapshot: 'live' });
    expect(state.table.lookup('v1', 'directory')).toBeDefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(registry.kept).toEqual([registry.view]);
  });

  it('starts from the copy on disk while the registry is down, retries with backoff, and goes live when it answers', async () => {
    registry.down = true;
    registry.onDisk = viewOf('kept-on-disk');
    await state.start();
    expect(state).toMatchObject({ loaded: true, snapshot: 'last-known-good' });
    expect(state.table.lookup('v1', 'kept-on-disk')).toBeDefined();
    const recovered = registry.nextSuccess();
    // Let a few attempts fail: the outage is logged once, not once per attempt.
    while (registry.loads < 4) await new Promise((resolve) => setTimeout(resolve, 2));
    registry.down = false;
    await recovered;
    await state.refresh();
    expect(state).toMatchObject({ snapshot: 'live' });
    expect(state.table.lookup('v1', 'kept-on-disk')).toBeUndefined();
    expect(state.table.lookup('v1', 'directory')).toBeDefined();
    expect(logged('registry-load-failed')).toHaveLength(1);
    expect(logged('registry-load-failed')[0].message).toMatch(/serving the last known good routing table/);
    expect(logged('registry-reachable')).toHaveLength(1);
  });

  it('has no table, and says so, when the registry is down and nothing was kept', async () => {
    registry.down = true;
    await state.start();
    expect(state.loaded).toBe(false);
    expect(state.snapshot).toBeUndefined();
    expect(logged('registry-load-failed')[0].message).toMatch(/not ready/);
  });

  it('keeps the table it holds when the registry goes down, marking it last-known-good', async () => {
    await state.start();
    registry.down = true;
    await state.refresh();
    expect(state).toMatchObject({ loaded: true, snapshot: 'last-known-good' });
    expect(state.table.lookup('v1', 'directory')).toBeDefined();
  });

  it('neither serves nor keeps a snapshot that cannot build a table', async () => {
    await state.start();
    registry.kept = [];
    registry.view = { ...viewOf('broken'), apiVersions: [apiVersion('broken', { upstreams: { sandbox: 'ftp://x', production: 'ftp://x' } })] };
    await state.refresh();
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.table.lookup('v1', 'directory')).toBeDefined();
    expect(state.table.lookup('v1', 'broken')).toBeUndefined();
    expect(registry.kept).toEqual([]);
    expect(logged('registry-snapshot-invalid')).toHaveLength(1);
  });
});
