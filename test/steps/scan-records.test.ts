import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordScanner, type RecordScanOptions } from '../../lib/steps/ingest/scan-records.ts';
import { ReferenceRecordScanner } from '../support/reference-scan-records.ts';
import { randomChunks, randomScanOptions, randomText, seeded } from '../support/random-records.ts';

type Scanner = new (options: RecordScanOptions, clean: string, rejects: string) => RecordScanner | ReferenceRecordScanner;

describe('record scanner', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-scan-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function scan(Kind: Scanner, options: RecordScanOptions, chunks: Buffer[], name: string) {
    const clean = join(dir, `${name}.clean`);
    const rejects = join(dir, `${name}.rejects`);
    const scanner = new Kind(options, clean, rejects);
    for (const chunk of chunks) await scanner.push(chunk);
    const summary = await scanner.end();
    return { summary, clean: await readFile(clean, 'latin1'), rejects: await readFile(rejects, 'utf8') };
  }

  it('gives exactly the outcome of the byte-by-byte scanner on random inputs and random chunkings', async () => {
    for (let seed = 1; seed <= 400; seed++) {
      const random = seeded(seed);
      const fields = 1 + Math.floor(random() * 4);
      const options = randomScanOptions(random, fields);
      const data = randomText(random, Math.floor(random() * 40), fields);
      const reference = await scan(ReferenceRecordScanner, options, randomChunks(random, data), 'reference');
      const fast = await scan(RecordScanner, options, randomChunks(random, data), 'fast');
      expect(fast, `seed ${seed}: ${JSON.stringify(options)} ${JSON.stringify(data.toString('latin1'))}`).toEqual(reference);
    }
  });

  it('keeps plain records through the fast path with their numbers, and hands odd ones to the state machine', async () => {
    const data = Buffer.from('id,name\n1,a\n\n2,"b\nc"\n3,x,y\n4,d\n');
    const out = await scan(RecordScanner, { format: 'csv', header: true, maxRecordBytes: 100, maxRecordLines: 5 }, [data], 'plain');
    expect(out.clean).toBe('1,2,1,a\n2,4,2,"b\nc"\n4,7,4,d\n');
    expect(out.rejects).toContain('"record":3,"line":6,"reason":"TOO MANY COLUMNS: expected 2 fields, found 3"');
    expect(out.summary).toMatchObject({ header: 'id,name', kept: 3, rejected: 1 });
  });
});
