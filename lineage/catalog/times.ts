// Instants as the catalog stores and writes them. Stored: always `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds, UTC), so
// that text order is time order. Written: as Marquez writes a Java Instant (ISO_INSTANT), the fraction left out when
// it is zero and otherwise printed in groups of three digits: `12:00:00Z`, `12:00:00.500Z`, `12:00:00.123457Z`.

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function fromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  const micros = String(us - Math.floor(us / 1_000_000) * 1_000_000).padStart(6, '0');
  return `${iso.slice(0, 19)}.${micros}Z`;
}

/**
 * The stored form of an ISO-8601 date-time: its instant rounded to the microsecond (half up, as PostgreSQL rounds), in
 * UTC. A date-time without a zone is read as UTC (Marquez accepts it). Undefined when it is not a date-time.
 */
export function storedTime(text: string): string | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, base, fraction = '', zone = 'Z'] = m;
  const offset =
    zone.toUpperCase() === 'Z'
      ? 'Z'
      : zone.length === 3
        ? `${zone}:00`
        : zone.includes(':')
          ? zone
          : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const whole = Date.parse(`${base!.length === 16 ? `${base}:00` : base}${offset}`);
  if (Number.isNaN(whole)) return undefined;
  const digits = fraction.padEnd(7, '0');
  const micros = Number(digits.slice(0, 6)) + (Number(digits[6]) >= 5 ? 1 : 0);
  const us = whole * 1000 + micros;
  const year = new Date(Math.floor(us / 1000)).getUTCFullYear();
  return year >= 0 && year <= 9999 ? fromMicros(us) : undefined;
}

/** Now, in the stored form. */
export function storedNow(): string {
  return fromMicros(Date.now() * 1000);
}

/** A stored instant as Marquez writes it; other text (an older millisecond form, say) is normalised first. */
export function marquezTime(stored: string): string;
export function marquezTime(stored: string | null): string | null;
export function marquezTime(stored: string | null): string | null {
  if (stored === null) return null;
  const canonical = stored.length === 27 && stored.endsWith('Z') ? stored : (storedTime(stored) ?? stored);
  const fraction = canonical.slice(20, 26);
  if (fraction === '000000') return `${canonical.slice(0, 19)}Z`;
  if (fraction.endsWith('000')) return `${canonical.slice(0, 23)}Z`;
  return canonical;
}

/** Milliseconds since the epoch of a stored instant (sub-millisecond digits dropped). */
export function epochMs(stored: string): number {
  return Date.parse(`${stored.slice(0, 23)}Z`);
}

/** A date-time as Java's `ZonedDateTime.toString()` writes it in UTC (Marquez's run args): `2026-11-30T08:00Z`. */
export function javaDateTime(text: string): string {
  const stored = storedTime(text);
  if (!stored) return text;
  const seconds = stored.slice(17, 19);
  const fraction = stored.slice(20, 26);
  const frac = fraction === '000000' ? '' : fraction.endsWith('000') ? `.${fraction.slice(0, 3)}` : `.${fraction}`;
  return `${stored.slice(0, 16)}${seconds === '00' && frac === '' ? '' : `:${seconds}`}${frac}Z`;
}
