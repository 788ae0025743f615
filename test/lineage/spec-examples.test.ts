import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeEvent } from '../../lineage/index.ts';
import { RunEventSchema } from '../../lineage/client/event.ts';
import { SPEC_DIR, facetFileNames, validateFacetDocument, validateOpenLineageEvent } from '../support/openlineage-validator.ts';

const testsDir = join(SPEC_DIR, 'tests');
const examples = readdirSync(testsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(testsDir, d.name)).map((f) => [d.name, f] as const));
const readJson = (...parts: string[]) => JSON.parse(readFileSync(join(...parts), 'utf8')) as unknown;

describe('upstream OpenLineage examples', () => {
  it('does find the copied facet files and examples', () => {
    expect(facetFileNames()).toHaveLength(38);
    expect(examples.length).toBeGreaterThanOrEqual(46);
  });

  it.each(examples)('does validate %s/%s against its facet file', (file, example) => {
    expect(validateFacetDocument(file, readJson(testsDir, file, example))).toEqual([]);
  });

  it('does validate example_full_event.json against the core schema', () => {
    expect(validateOpenLineageEvent(readJson(testsDir, 'example_full_event.json'))).toEqual([]);
  });

  it('does parse example_full_event.json with RunEventSchema and round-trip it unchanged', () => {
    const original = readJson(testsDir, 'example_full_event.json');
    const parsed = RunEventSchema.parse(original);
    expect(parsed).toEqual(original);
    expect(JSON.parse(serializeEvent(parsed))).toEqual(original);
    expect(RunEventSchema.parse(JSON.parse(serializeEvent(parsed)))).toEqual(parsed);
  });

  it('fails validation when an upstream example loses a required field', () => {
    const doc = readJson(testsDir, 'NominalTimeRunFacet', '1.json') as { nominalTime: Record<string, unknown> };
    delete doc.nominalTime['nominalStartTime'];
    expect(validateFacetDocument('NominalTimeRunFacet', doc)).toEqual([
      `NominalTimeRunFacet/nominalTime: must have required property 'nominalStartTime' {"missingProperty":"nominalStartTime"}`,
    ]);
  });
});
