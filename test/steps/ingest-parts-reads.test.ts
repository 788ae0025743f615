import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planParts } from '../../lib/steps/ingest/plan-parts.ts';
import type { RecordScanOptions } from '../../lib/steps/ingest/record-scan-options.ts';
import { withStoredObjects } from '../support/local-s3.ts';

const CSV: RecordScanOptions = {
  format: 'csv',
  delimiter: 44,
  quote: 34,
  escape: 34,
  header: true,
  maxRecordBytes: 256,
  maxRecordLines: 10,
};

// How the deployed plan and parts read an upload: the plan streams it from S3, each part takes a ranged GET of its bytes.
describe('reading an upload for an ingest in parts, through S3', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-parts-reads-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plans a streamed object as its file, and reads a part at its own offsets', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `${i},"a ""quoted""\nvalue ${i}",${i * 2}`);
    const text = `id,label,n\n${rows.join('\n')}\n`;
    const file = join(dir, 'upload.csv');
    await writeFile(file, text);
    await withStoredObjects(join(dir, 's3'), ['b'], async (store) => {
      const put = await store.upload('b', 'raw/upload.csv', file);
      const options = { file, uri: 's3://b/raw/upload.csv', partBytes: 3000, maxBytes: 1 << 20, limitName: 'maxBytes' };
      const fromFile = await planParts(options, CSV);
      const streamed = await planParts({ ...options, stream: () => store.openStream({ bucket: 'b', key: put.key, etag: put.etag }) }, CSV);
      expect(streamed).toEqual(fromFile);
      expect(fromFile.parts.length).toBeGreaterThan(3);

      const part = fromFile.parts[2]!;
      const local = join(dir, 'part');
      await store.readRange({ bucket: 'b', key: put.key, etag: put.etag }, { start: part.start, end: part.end }, local);
      const bytes = await readFile(local);
      expect(bytes.length).toBe(part.end);
      expect(bytes.subarray(part.start).toString()).toBe(text.slice(part.start, part.end));

      // Another version than the run's is never read: the stream and the ranged read both fail, naming the object.
      const stale = { bucket: 'b', key: put.key, etag: '0123456789abcdef0123456789abcdef' };
      await expect(planParts({ ...options, stream: () => store.openStream(stale) }, CSV)).rejects.toThrow(/no longer the version/);
      await expect(store.readRange(stale, { start: 0, end: 10 }, join(dir, 'stale'))).rejects.toThrow(/no longer the version/);
    });
  });
});
