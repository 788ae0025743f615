import { describe, expect, it } from 'vitest';
import { BATCH_RECORD_FORMAT, compareBatches, parseBatchRecord, type BatchRecord } from '../../lib/runtime/batch-record.ts';
import { tableBatches } from '../../lib/runtime/table-read.ts';

function record(batch: string, time: string, startTime = time): BatchRecord {
  return {
    format: BATCH_RECORD_FORMAT,
    pipeline: 'p',
    step: 's',
    dataset: 'd',
    bucket: 'b',
    prefix: 'published/d',
    batch,
    files: [{ key: `published/d/batch=${batch}/data.parquet`, rows: 1, bytes: 10, etag: batch }],
    rows: 1,
    fields: [{ name: 'id', type: 'VARCHAR' }],
    time,
    execution: { id: `arn:x:${batch}`, startTime },
    publishedAt: '2026-11-30T00:00:00.000Z',
  };
}

const sorted = (records: BatchRecord[]): string[] => [...records].sort(compareBatches).map((r) => r.batch);

describe('batch order', () => {
  it('orders by batch time, whatever the ids and the listing order', () => {
    const records = [
      record('a-late', '2026-11-23T10:00:05Z'),
      record('z-early', '2026-11-23T10:00:01Z'),
      record('m', '2026-11-23T10:00:03Z'),
    ];
    expect(sorted(records)).toEqual(['z-early', 'm', 'a-late']);
    expect(sorted([...records].reverse())).toEqual(['z-early', 'm', 'a-late']);
  });

  it('breaks a tie in batch time (uploads in the same second) by the start of the execution that wrote the batch', () => {
    const second = '2026-11-23T10:00:00Z';
    const records = [record('b', second, '2026-11-23T10:00:00.900Z'), record('a', second, '2026-11-23T10:00:00.200Z')];
    expect(sorted(records)).toEqual(['a', 'b']);
    expect(tableBatches(records.sort(compareBatches), { kind: 'snapshot' }).map((r) => r.batch)).toEqual(['b']);
  });

  it('breaks a full tie by batch id, so the order is always the same', () => {
    const t = '2026-11-23T10:00:00Z';
    expect(sorted([record('y', t), record('x', t)])).toEqual(['x', 'y']);
  });
});

describe('tableBatches', () => {
  const batches = [record('n1', '2026-11-20T06:00:00Z'), record('n2', '2026-11-21T06:00:00Z'), record('n3', '2026-11-22T06:00:00Z')];

  it('keeps every batch of an append or upsert table and the latest of a snapshot', () => {
    expect(tableBatches(batches, { kind: 'append' }).map((b) => b.batch)).toEqual(['n1', 'n2', 'n3']);
    expect(tableBatches(batches, { kind: 'upsert', key: ['id'] }).map((b) => b.batch)).toEqual(['n1', 'n2', 'n3']);
    expect(tableBatches(batches, { kind: 'snapshot' }).map((b) => b.batch)).toEqual(['n3']);
    expect(tableBatches([], { kind: 'snapshot' })).toEqual([]);
  });

  it('keeps the batches whose time is in (until - days, until] for a window', () => {
    const window = (days: number, until: string) => tableBatches(batches, { kind: 'append' }, { days, until }).map((b) => b.batch);
    expect(window(2, '2026-11-22T06:00:00Z')).toEqual(['n2', 'n3']);
    expect(window(1, '2026-11-22T05:59:59Z')).toEqual(['n2']);
    expect(window(1, '2026-11-19T06:00:00Z')).toEqual([]);
  });
});

describe('parseBatchRecord', () => {
  it('names the object and every problem of a record that is not one', () => {
    expect(() => parseBatchRecord('{"format":"other"}', 's3://b/p/_batches/x.json')).toThrow(
      /s3:\/\/b\/p\/_batches\/x\.json: not a sluice\.batch\/1 batch record/,
    );
    expect(() => parseBatchRecord('nope', 's3://b/p/_batches/x.json')).toThrow(/not valid JSON/);
    expect(parseBatchRecord(JSON.stringify(record('a', '2026-11-23T10:00:00Z')), 'u').batch).toBe('a');
  });
});
