import { describe, expect, it } from 'vitest';
import { readPath, resolveTemplate } from '../../lib/local/payload-template.ts';

const input = { a: { b: [10, 20], 'odd-name': 'x' } };
const context = { Execution: { Id: 'arn:exec' }, Map: { Item: { Index: 2, Value: { Key: 'k' } } } };

describe('payload templates, as the local runner evaluates them for Distributed Map fields', () => {
  it.each([
    ['$', input],
    ['$.a.b[1]', 20],
    ["$.a['odd-name']", 'x'],
    ['$$.Map.Item.Value.Key', 'k'],
    ['$$.Execution.Id', 'arn:exec'],
  ])('reads %s', (path, value) => {
    expect(readPath(path, input, context)).toEqual(value);
  });

  it('builds nested templates, only ".$" fields taking values from paths', () => {
    expect(resolveTemplate({ fixed: 'v', 'key.$': '$$.Map.Item.Value.Key', nested: [{ 'n.$': '$.a.b[0]' }] }, input, context)).toEqual({
      fixed: 'v',
      key: 'k',
      nested: [{ n: 10 }],
    });
  });

  it('fails naming the path when it matches nothing or uses what the local runner does not evaluate', () => {
    expect(() => readPath('$.a.c', input, context)).toThrow('$.a.c: the path matches nothing in the input');
    expect(() => readPath('$$.Map.Item.Value.Etag', input, context)).toThrow('the path matches nothing in the context');
    expect(() => readPath('$.a.b[*]', input, context)).toThrow(/only \.name, \['name'\] and \[index\] segments/);
    expect(() => readPath('States.ArrayLength($.a.b)', input, context)).toThrow('a reference path starts with $ or $$');
  });
});
