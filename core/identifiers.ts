/** A UUID in canonical 8-4-4-4-12 hex form, any version (run ids, Marquez row ids). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An S3 bucket name as S3 allows it: 3-63 lower-case letters, digits, "." or "-", no "xn--" start, no "..". */
export const BUCKET_NAME_PATTERN = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://<bucket>[/<key or prefix>]`: the bucket in group 1, the rest (possibly empty) in group 2. */
export const S3_URL_PATTERN = /^s3:\/\/((?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** True when `value` is a UUID in canonical form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
