import { describe, expect, it } from 'vitest';
import { compileAsl } from '../../lib/asl/compile-asl.ts';
import { definePipeline } from '../../lib/index.ts';
import { validDefinition } from '../support/pipelines.ts';

describe('a data-test step audited in parts', () => {
  it('chooses between the single scan and a Distributed Map of the staged files, then merges into the step result', () => {
    const base = validDefinition();
    const spec = definePipeline({
      ...base,
      steps: base.steps.map((s) => (s.kind === 'dataTests' ? { ...s, parts: { minRows: 1000, filesPerPart: 2, concurrency: 3 } } : s)),
    });
    const step = spec.steps.find((s) => s.kind === 'dataTests')!;
    const writer = spec.steps.find((s) => s.kind === 'ingest')!;
    const asl = compileAsl(spec);
    const size = asl.States[`Size ${step.name}`] as any;
    expect(size.Default).toBe(step.name);
    expect(size.Choices[0]).toMatchObject({ Next: `Parts ${step.name}` });
    expect(size.Choices[0].And).toContainEqual({ Variable: `$.results.${writer.name}.output.rowsOut`, NumericGreaterThanEquals: 1000 });
    const map = asl.States[`Parts ${step.name}`] as any;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: `$.results.${writer.name}.output.outputs`,
      ItemBatcher: { MaxItemsPerBatch: 2 },
      MaxConcurrency: 3,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } },
      ResultPath: null,
      Next: `Merge ${step.name}`,
    });
    const part = map.ItemProcessor.States[`Part (${step.name})`];
    expect(part.Parameters.Payload).toMatchObject({ testPart: { mode: 'part', 'items.$': '$.items' }, 'parent.$': '$.parent' });
    expect(part.Catch).toBeUndefined();
    const merge = asl.States[`Merge ${step.name}`] as any;
    expect(merge.Parameters.Payload.testPart).toEqual({ mode: 'merge' });
    expect(merge.ResultPath).toBe(`$.results.${step.name}`);
    expect(merge.Next).toBe((asl.States[step.name] as any).Next);
  });

  it('keeps the single scan alone when parts are turned off', () => {
    const base = validDefinition();
    const spec = definePipeline({ ...base, steps: base.steps.map((s) => (s.kind === 'dataTests' ? { ...s, parts: false as const } : s)) });
    expect(Object.keys(compileAsl(spec).States).filter((s) => /^(Size|Parts|Merge) /.test(s))).toEqual([]);
  });

  it('rejects settings out of range, naming the field, the value and what is allowed', () => {
    const base = validDefinition();
    const bad = {
      ...base,
      steps: base.steps.map((s) => (s.kind === 'dataTests' ? { ...s, parts: { minRows: 0, filesPerPart: 500 } } : s)),
    };
    expect(() => definePipeline(bad as never)).toThrow(/parts\.minRows[\s\S]*0[\s\S]*parts\.filesPerPart[\s\S]*500/);
  });
});
