import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTransport, LineageTransportError, runEvent, uuidv7 } from '../../lineage/index.ts';
import type { RunEvent } from '../../lineage/index.ts';

const event = (eventType: 'START' | 'COMPLETE' = 'START'): RunEvent =>
  runEvent({ eventType, run: { runId: uuidv7() }, job: { namespace: 'sluice', name: 'churn.ingest' } });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-file-transport-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileTransport', () => {
  it('does append one JSON line per event and create parent directories when append is true', async () => {
    const path = join(dir, 'nested', 'lineage', 'events.jsonl');
    const transport = new FileTransport({ log_file_path: path, append: true });
    const events = [event('START'), event('COMPLETE'), event('START')];
    for (const e of events) await transport.emit(e);
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual(events);
    expect(transport.describe()).toBe(`file ${path}`);
  });

  it('does keep every line intact when events are appended concurrently', async () => {
    const path = join(dir, 'events.jsonl');
    const transport = new FileTransport({ log_file_path: path, append: true });
    const events = Array.from({ length: 50 }, () => event());
    await Promise.all(events.map((e) => transport.emit(e)));
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunEvent);
    expect(lines.map((l) => l.run.runId).sort()).toEqual(events.map((e) => e.run.runId).sort());
  });

  it('does write one file per event named like Python when append is false', async () => {
    const base = join(dir, 'ol');
    const transport = new FileTransport({ log_file_path: base });
    const events = [event(), event(), event()];
    await Promise.all(events.map((e) => transport.emit(e)));
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(3);
    for (const file of files) expect(file).toMatch(/^ol-\d{8}-\d{6}\.\d{6}\.json$/);
    const written = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as RunEvent));
    expect(written.map((w) => w.run.runId).sort()).toEqual(events.map((e) => e.run.runId).sort());
  });

  it('fails naming the path when the file cannot be written', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const path = join(blocker, 'events.jsonl');
    const error = await new FileTransport({ log_file_path: path, append: true }).emit(event()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LineageTransportError);
    expect((error as Error).message).toMatch(new RegExp(`^file transport: could not write the event to ${path}: `));
  });

  it('fails when constructed without a path', () => {
    expect(() => new FileTransport({ log_file_path: '' })).toThrow(
      'invalid lineage configuration (file transport): transport.log_file_path: expected a non-empty log_file_path (the file events are written to), got ""',
    );
  });
});
