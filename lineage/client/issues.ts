import type { z } from 'zod';

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

/** Renders the path of an issue as `transport.transports.0.url` (`config` at the root). */
export function issuePath(path: readonly PropertyKey[], root = ''): string {
  const parts = [root, ...path.map(String)].filter((p) => p !== '');
  return parts.length > 0 ? parts.join('.') : '(root)';
}

/** Describes a received value briefly for a message: `"x"`, `3`, `a list`, `nothing`; secrets only by length. */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (secret) return typeof value === 'string' ? `a secret of ${value.length} characters` : `a secret ${typeof value}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'a list';
  return `an ${typeof value}`;
}

function describeIssue(issue: z.core.$ZodIssue, path: string): string {
  const input = (issue as { input?: unknown }).input;
  const secret = SECRET_PATH.test(path);
  switch (issue.code) {
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
}

/**
 * Formats every zod issue as one line `path: what is wrong, got value`, so an error lists all problems at once.
 * Parse with `{ reportInput: true }` so the received values can be named; secret settings are never echoed.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root = ''): string[] {
  return issues.flatMap((issue) => {
    // One line per unknown key, so each reads `transport.endpont: unknown … setting; allowed: …`.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${issuePath([...issue.path, key], root)}: ${issue.message}`);
    const path = issuePath(issue.path, root);
    return [`${path}: ${describeIssue(issue, path)}`];
  });
}
