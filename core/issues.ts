import type { z } from 'zod';

/** A zod issue (every issue of a `ZodError`). */
export type Issue = z.core.$ZodIssue;

/** How the problem of one issue reads after its path; `path` is the formatted path, for wordings that mask secrets. */
export type IssueWording = (issue: Issue, path: string) => string;

/** Formats a path the way users write it: `steps[2].sql` (`(root)` when empty). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** How zod's type names read in a message. */
const TYPE_WORDS: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  bigint: 'a whole number',
};

/**
 * The wording for schemas that word their own errors (pipeline definitions, payloads): `required` for a missing
 * value, `expected a whole number, got 1.5` for a value of the wrong type (its value when the parse reported
 * inputs, else its type), `unknown key` for a key the schema does not have, else the schema's message.
 */
export const plainWording: IssueWording = (issue) => {
  if (issue.code === 'invalid_type') {
    // zod's own message ends in "received undefined" for a missing value; a schema's own message is kept.
    if (issue.input === undefined && /received undefined$/.test(issue.message)) return 'required';
    if (!issue.message.startsWith('Invalid input')) return issue.message;
    const got = issue.input !== undefined ? describeValue(issue.input) : `a ${issue.message.replace(/^.*received /, '')}`;
    return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${got}`;
  }
  if (issue.code === 'unrecognized_keys') return 'unknown key';
  return issue.message;
};

/** Options of {@link formatIssues}. */
export interface FormatIssuesOptions {
  /** Path segments put before every issue's path (`['namespace']`, `['transport']`). */
  readonly prefix?: readonly PropertyKey[];
  /** How each problem reads. @default plainWording */
  readonly wording?: IssueWording;
}

/**
 * Every issue as one line `path: problem`, so an error lists all its problems at once. An unknown key gets a
 * line of its own, its path ending with the key (`datasets.raw.partitions: unknown key`).
 */
export function formatIssues(issues: z.ZodError | readonly Issue[], options: FormatIssuesOptions = {}): string[] {
  const list = 'issues' in issues ? issues.issues : issues;
  const prefix = options.prefix ?? [];
  const wording = options.wording ?? plainWording;
  return list.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = formatPath([...prefix, ...issue.path, key]);
        return `${path}: ${wording(issue, path)}`;
      });
    }
    const path = formatPath([...prefix, ...issue.path]);
    return [`${path}: ${wording(issue, path)}`];
  });
}

/** Describes a received value briefly for a message: `"x"`, `3`, `a list`, `nothing`; a secret only by its length. */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (secret) return typeof value === 'string' ? `a secret of ${value.length} characters` : `a secret ${typeof value}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'a list';
  return `an ${typeof value}`;
}
