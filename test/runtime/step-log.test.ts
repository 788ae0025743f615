import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logSink, StructuredLog } from '../../lib/runtime/step-log.ts';
import { captureStderr } from '../support/environment.ts';

const parse = (line: string): Record<string, unknown> => JSON.parse(line) as Record<string, unknown>;

describe('StructuredLog', () => {
  it('writes one JSON object per line with time, level, message and the fields of its context', () => {
    const lines: string[] = [];
    const log = new StructuredLog((l) => lines.push(l), { pipeline: 'churn', execution: 'arn:x' }, { echo: false });
    log.with({ runId: 'r-1', step: 'test' }).info('step started', { batch: 'b-1' });
    log.error('boom');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    const [first, second] = lines.map(parse);
    expect(first).toMatchObject({
      level: 'INFO',
      message: 'step started',
      pipeline: 'churn',
      execution: 'arn:x',
      runId: 'r-1',
      step: 'test',
      batch: 'b-1',
    });
    expect(new Date(String(first!['timestamp'])).toISOString()).toBe(first!['timestamp']);
    // `with` returns a new log; the original keeps its own fields.
    expect(second).toMatchObject({ level: 'ERROR', message: 'boom', execution: 'arn:x' });
    expect(second).not.toHaveProperty('step');
  });

  it('echoes warnings to stderr outside Lambda, prefixed once with "sluice: ", and not when told not to', async () => {
    const lines: string[] = [];
    const echoed = await captureStderr(async () => {
      const log = new StructuredLog((l) => lines.push(l), {}, { echo: true });
      log.warn('lineage not delivered');
      log.warn('sluice: warning: kept in the outbox');
    });
    expect(echoed.stderr).toBe('sluice: lineage not delivered\nsluice: warning: kept in the outbox\n');
    const silent = await captureStderr(async () => new StructuredLog((l) => lines.push(l), {}, { echo: false }).warn('quiet'));
    expect(silent.stderr).toBe('');
    expect(lines.map((l) => parse(l)['level'])).toEqual(['WARN', 'WARN', 'WARN']);
  });

  it('writes metrics in CloudWatch embedded metric format: every metric and dimension a member of the line', () => {
    const lines: string[] = [];
    const log = new StructuredLog((l) => lines.push(l), { execution: 'arn:x', runId: 'r-1' }, { echo: false });
    log.metrics(
      'Sluice/churn',
      { Pipeline: 'churn', Step: 'test' },
      { RowsIn: { value: 99_486, unit: 'Count' }, Duration: { value: 812, unit: 'Milliseconds' } },
    );
    const line = parse(lines[0]!);
    const aws = line['_aws'] as {
      Timestamp: number;
      CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
    };
    expect(Number.isInteger(aws.Timestamp)).toBe(true);
    expect(aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Sluice/churn',
        Dimensions: [['Pipeline', 'Step']],
        Metrics: [
          { Name: 'RowsIn', Unit: 'Count' },
          { Name: 'Duration', Unit: 'Milliseconds' },
        ],
      },
    ]);
    // CloudWatch takes each metric's value and each dimension's value from the line's own members.
    expect(line).toMatchObject({ Pipeline: 'churn', Step: 'test', RowsIn: 99_486, Duration: 812, execution: 'arn:x', runId: 'r-1' });
  });

  it('writes nothing without a sink', async () => {
    const { stderr } = await captureStderr(async () => new StructuredLog(undefined, {}, { echo: false }).info('nowhere'));
    expect(stderr).toBe('');
  });
});

describe('logSink', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-log-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes to stdout in Lambda, appends to SLUICE_LOG_FILE elsewhere, and is off when neither applies', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      logSink({ AWS_LAMBDA_FUNCTION_NAME: 'churn-test', SLUICE_LOG_FILE: join(dir, 'ignored.jsonl') })!('{"a":1}');
      expect(write).toHaveBeenCalledWith('{"a":1}\n');
    } finally {
      write.mockRestore();
    }
    const file = join(dir, 'logs', 'steps.jsonl');
    const sink = logSink({ SLUICE_LOG_FILE: file })!;
    sink('{"n":1}');
    sink('{"n":2}');
    expect(await readFile(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    expect(logSink({})).toBeUndefined();
    expect(logSink({ SLUICE_LOG_FILE: '  ' })).toBeUndefined();
  });
});
