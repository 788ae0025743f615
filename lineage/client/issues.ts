import type { IssueWording } from '../../core/issues.ts';
import { describeValue } from '../../core/issues.ts';

// Settings whose values must never appear in an error message or log line.
const SECRET_PATH = /(^|\.)(auth|apikey|api_key|authorization|password|token|secret)$|(^|\.)custom_headers\.[^.]+$/i;

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'an object',
  null: 'null',
  undefined: 'nothing',
};

/**
 * The wording of lineage configuration and event problems: what was expected and the value received
 * (`missing; expected a string`, `expected one of "http", "file", got "smoke"`); secret settings are never echoed.
 * Parse with `{ reportInput: true }` so the received values can be named.
 */
export const lineageWording: IssueWording = (issue, path) => {
  const input = (issue as { input?: unknown }).input;
  const secret = SECRET_PATH.test(path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.message;
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return input === undefined ? `missing; expected ${expected}` : `expected ${expected}, got ${describeValue(input, secret)}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(input, secret)}`;
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        const got = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[issue.discriminator] : input;
        return `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}, got ${describeValue(got, secret)}`;
      }
      return `${issue.message}, got ${describeValue(input, secret)}`;
    }
    default:
      return `${issue.message}, got ${describeValue(input, secret)}`;
  }
};
