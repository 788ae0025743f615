import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordScanOptions } from '../../lib/steps/ingest/record-scan-options.ts';
import { RecordScanner } from '../../lib/steps/ingest/scan-records.ts';
import { MAX_INGEST_PARTS, partScanOptions, partSizeFor, planParts } from '../../lib/steps/ingest/plan-parts.ts';
import { scanTextSource } from '../../lib/steps/ingest/text-source.ts';
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
    const { cuts: _cuts, fields: _fields, ...summary } = (await scanner.end()) as { cuts?: unknown; fields?: unknown };
    return { summary, clean: await readFile(clean, 'latin1'), rejects: await readFile(rejects, 'utf8') };
  }

  it('gives exactly the outcome of the byte-by-byte scanner on random inputs and random chunkings', async () => {
    for (let seed = 1; seed <= 200; seed++) {
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

  it('scans planned parts to exactly the records, numbers and rejects of one scan of the whole file', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const random = seeded(seed * 7919);
      const fields = 1 + Math.floor(random() * 4);
      const options = randomScanOptions(random, fields);
      const data = Buffer.concat([
        random() < 0.2 ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
        randomText(random, Math.floor(random() * 60), fields),
      ]);
      const file = join(dir, 'whole.txt');
      await writeFile(file, data);
      const source = (name: string, range?: { start: number; end: number }) => ({
        file,
        uri: 's3://b/whole.txt',
        maxBytes: 1 << 20,
        limitName: 'maxBytes',
        cleanFile: join(dir, `${name}.clean`),
        rejectsFile: join(dir, `${name}.rejects`),
        ...(range ? { range } : {}),
      });
      const whole = await scanTextSource(source('whole'), options);
      const plan = await planParts(
        { file, uri: 's3://b/whole.txt', partBytes: 1 + Math.floor(random() * 80), maxBytes: 1 << 20, limitName: 'maxBytes' },
        options,
      );
      const clean: string[] = [];
      const rejects: string[] = [];
      const totals = { kept: 0, rejected: 0, lf: 0, crlf: 0, cr: 0 };
      for (const part of plan.parts) {
        const scanned = await scanTextSource(source(`part-${part.index}`, part), partScanOptions(options, plan, part));
        clean.push(await readFile(scanned.cleanFile, 'latin1'));
        rejects.push(await readFile(scanned.rejectsFile, 'utf8'));
        totals.kept += scanned.kept;
        totals.rejected += scanned.rejected;
        for (const k of ['lf', 'crlf', 'cr'] as const) totals[k] += scanned.lineEnds[k];
      }
      const what = `seed ${seed}: ${plan.parts.length} parts ${JSON.stringify(plan.parts)} ${JSON.stringify(options)} ${JSON.stringify(data.toString('latin1'))}`;
      expect(plan.parts.at(-1)?.end, what).toBe(data.length);
      expect(clean.join(''), what).toBe(await readFile(whole.cleanFile, 'latin1'));
      expect(rejects.join(''), what).toBe(await readFile(whole.rejectsFile, 'utf8'));
      expect(totals, what).toEqual({ kept: whole.kept, rejected: whole.rejected, ...whole.lineEnds });
      expect(plan.header, what).toBe(whole.header);
    }
  });

  it(`cuts an object into at most ${MAX_INGEST_PARTS} parts, raising a part size that would make more`, async () => {
    const file = join(dir, 'many-parts.csv');
    const data = `id,label\n${Array.from({ length: 60_000 }, (_, i) => `${i},label ${i % 13}`).join('\n')}\n`;
    await writeFile(file, data);
    const bytes = Buffer.byteLength(data);
    expect(partSizeFor(1024, bytes)).toBe(Math.ceil(bytes / MAX_INGEST_PARTS));
    expect(partSizeFor(1024 ** 2, bytes)).toBe(1024 ** 2);
    expect(partSizeFor(1024, undefined)).toBe(1024);
    const options = {
      format: 'csv',
      delimiter: 44,
      quote: 34,
      escape: 34,
      header: true,
      maxRecordBytes: 1 << 20,
      maxRecordLines: 10,
    } as const;
    const at = (partBytes: number) =>
      planParts({ file, uri: 's3://b/many-parts.csv', partBytes, maxBytes: 1 << 24, limitName: 'maxBytes' }, options);
    expect((await at(1024)).parts.length).toBeGreaterThan(MAX_INGEST_PARTS);
    expect((await at(partSizeFor(1024, bytes))).parts.length).toBeLessThanOrEqual(MAX_INGEST_PARTS);
  });
});
