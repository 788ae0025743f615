import { describe, expect, it } from 'vitest';
import { CompositeTransport, ConsoleTransport, LineageTransportError, NoopTransport, runEvent, uuidv7 } from '../../lineage/index.ts';
import { createTransport } from '../../lineage/client/transports/create-transport.ts';
import type { LineageEvent, Transport } from '../../lineage/index.ts';

const event = () => runEvent({ eventType: 'START', run: { runId: uuidv7() }, job: { namespace: 'sluice', name: 'churn' } });

class Recording implements Transport {
  readonly seen: LineageEvent[] = [];
  readonly fail: string | undefined;
  constructor(fail?: string) {
    this.fail = fail;
  }
  async emit(e: LineageEvent): Promise<void> {
    if (this.fail) throw new LineageTransportError(this.fail, { retryable: true });
    this.seen.push(e);
  }
  describe(): string {
    return this.fail ? 'broken' : 'recording';
  }
}

describe('ConsoleTransport', () => {
  it('does write one JSON line per event to its sink', async () => {
    const lines: string[] = [];
    const e = event();
    await new ConsoleTransport({ write: (chunk: string) => lines.push(chunk) }).emit(e);
    expect(lines).toEqual([`${JSON.stringify(e)}\n`]);
    expect(new ConsoleTransport().describe()).toBe('console (stderr)');
  });
});

describe('NoopTransport', () => {
  it('does discard events and say why', async () => {
    await expect(new NoopTransport('OPENLINEAGE_DISABLED=true').emit()).resolves.toBeUndefined();
    expect(new NoopTransport('OPENLINEAGE_DISABLED=true').describe()).toBe('noop (events are discarded: OPENLINEAGE_DISABLED=true)');
  });
});

describe('CompositeTransport', () => {
  it('does emit to every child in order when all succeed', async () => {
    const a = new Recording();
    const b = new Recording();
    const e = event();
    await new CompositeTransport([
      { name: 'a', transport: a },
      { name: 'b', transport: b },
    ]).emit(e);
    expect([a.seen, b.seen]).toEqual([[e], [e]]);
  });

  it('does succeed when one child fails and continue_on_failure is true (the default)', async () => {
    const ok = new Recording();
    await new CompositeTransport([
      { name: 'down', transport: new Recording('connection refused') },
      { name: 'ok', transport: ok },
    ]).emit(event());
    expect(ok.seen).toHaveLength(1);
  });

  it('fails naming every child when none succeeded', async () => {
    const composite = new CompositeTransport([
      { name: 'one', transport: new Recording('refused') },
      { name: 'two', transport: new Recording('disk full') },
    ]);
    await expect(composite.emit(event())).rejects.toThrow(
      'composite transport: none of 2 transports delivered the event: "one": refused; "two": disk full',
    );
  });

  it('fails fast when continue_on_failure is false', async () => {
    const after = new Recording();
    const composite = new CompositeTransport(
      [
        { name: 'down', transport: new Recording('refused') },
        { name: 'after', transport: after },
      ],
      { continue_on_failure: false },
    );
    await expect(composite.emit(event())).rejects.toThrow('composite transport: child "down" failed: refused');
    expect(after.seen).toHaveLength(0);
  });

  it('does stop at the first delivery when continue_on_success is false, in priority order when sorted', async () => {
    const low = new Recording();
    const high = new Recording();
    const composite = new CompositeTransport(
      [
        { name: 'low', transport: low, priority: 1 },
        { name: 'high', transport: high, priority: 5 },
      ],
      { continue_on_success: false, sort_transports: true },
    );
    await composite.emit(event());
    expect([high.seen.length, low.seen.length]).toEqual([1, 0]);
    expect(composite.describe()).toBe('composite [high: recording, low: recording]');
  });
});

describe('createTransport', () => {
  it('does build each transport type from its settings, naming composite children', () => {
    const composite = createTransport({
      type: 'composite',
      transports: {
        marquez: { type: 'http', url: 'http://marquez:5000' },
        local: { type: 'file', log_file_path: '/tmp/e.jsonl', append: true },
      },
    });
    expect(composite.describe?.()).toBe('composite [marquez: http http://marquez:5000/api/v1/lineage, local: file /tmp/e.jsonl]');
    const listed = createTransport({ type: 'composite', transports: [{ type: 'console' }, { type: 'noop' }] });
    expect(listed.describe?.()).toBe('composite [console#0: console (stderr), noop#1: noop (events are discarded)]');
  });

  it('fails listing every problem when the settings are invalid', () => {
    expect(() => createTransport({ type: 'composite', transports: [{ type: 'http' }, { type: 'smoke' }] })).toThrow(
      'invalid lineage configuration (transport settings): transport.transports.0.url: missing; expected a string; transport.transports.1.type: expected one of "http", "file", "console", "noop", "composite", "transform", got "smoke"',
    );
  });
});
