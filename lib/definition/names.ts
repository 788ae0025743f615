import { z } from 'zod';
import { BUCKET_NAME_PATTERN } from '../../core/identifiers.ts';

/** A pipeline or step name: it becomes a job name, a state name and part of AWS resource names. */
export const IdentifierSchema = z.string({ error: 'required' }).regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, {
  error: (issue) =>
    `expected a name of letters, digits, "_" or "-" starting with a letter (at most 63), got ${JSON.stringify(issue.input)}`,
});

/** An S3 bucket name, as S3 allows it. */
export const BucketNameSchema = z.string({ error: 'required' }).regex(BUCKET_NAME_PATTERN, {
  error: (issue) => `expected an S3 bucket name (3-63 lower-case letters, digits, "." or "-"), got ${JSON.stringify(issue.input)}`,
});

/** An S3 key prefix naming a logical dataset, such as `staged/customers` (no leading or trailing slash). */
export const KeyPrefixSchema = z
  .string({ error: 'required' })
  .transform((prefix) => prefix.replace(/\/+$/, ''))
  .pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()=-]+)*$/, {
        error: (issue) => `expected a key prefix like "staged/customers" (no leading slash, no spaces), got ${JSON.stringify(issue.input)}`,
      })
      // Locally a prefix is a directory path: "." and ".." segments would lead outside the state directory.
      .refine((prefix) => !prefix.split('/').some((segment) => segment === '.' || segment === '..'), {
        error: (issue) => `expected a key prefix without "." or ".." segments, got ${JSON.stringify(issue.input)}`,
      }),
  );

/** A lineage namespace as Marquez accepts it. */
export const NamespaceSchema = z.string().regex(/^[A-Za-z0-9:;=/_\-.@+]{1,1024}$/, {
  error: (issue) => `expected 1-1024 characters of letters, digits or ":;=/_-.@+", got ${JSON.stringify(issue.input)}`,
});

/** A column name usable unquoted in rules and SQL. */
export const ColumnNameSchema = z
  .string({ error: 'required' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, {
    error: (issue) => `expected a column name of letters, digits or "_", got ${JSON.stringify(issue.input)}`,
  })
  .refine((name) => !name.startsWith('__'), {
    error: (issue) => `names starting with "__" are reserved for Sluice's own columns, got ${JSON.stringify(issue.input)}`,
  });
