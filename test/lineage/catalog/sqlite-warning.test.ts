import { describe, expect, it } from 'vitest';
import { isSqliteExperimentalWarning } from '../../../lineage/catalog/sqlite.ts';

describe("node:sqlite's experimental warning (Node 22)", () => {
  it.each([
    ['SQLite is an experimental feature and might change at any time', 'ExperimentalWarning', true],
    ['SQLite is an experimental feature and might change at any time', { type: 'ExperimentalWarning' }, true],
    ['Type Stripping is an experimental feature and might change at any time', 'ExperimentalWarning', false],
    ['SQLite is an experimental feature and might change at any time', 'DeprecationWarning', false],
    ['something else', undefined, false],
  ])('holds back %j (%j): %s', (message, typeOrOptions, held) => {
    expect(isSqliteExperimentalWarning(message, typeOrOptions)).toBe(held);
  });

  it('holds back the Error form Node emits, and no other', () => {
    const warning = Object.assign(new Error('SQLite is an experimental feature and might change at any time'), {
      name: 'ExperimentalWarning',
    });
    expect(isSqliteExperimentalWarning(warning)).toBe(true);
    expect(isSqliteExperimentalWarning(Object.assign(new Error('Buffer() is deprecated'), { name: 'DeprecationWarning' }))).toBe(false);
  });
});
