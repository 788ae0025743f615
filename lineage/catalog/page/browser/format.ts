// Values as people read them: durations, times, batches, and the small coloured badges the views share.
import type { DatasetFacets } from '../../../marquez/api.ts';
import { el } from './dom.ts';
import type { Health } from './health.ts';

/** A duration: milliseconds below a second, seconds with one decimal below a minute, then minutes and seconds. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A timestamp as `2026-11-30 22:28:26 UTC` (the catalog's times are UTC); `–` when there is none. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The batch or partition a version holds, from its `subset` facet (`batch=…`); empty when it has none. */
export function subsetOf(facets: DatasetFacets | null | undefined): string {
  const s = facets?.subset?.outputCondition ?? facets?.subset?.inputCondition;
  // Another producer's condition may have another shape: look for partitions without trusting `type`.
  const dims = s && typeof s === 'object' && 'partitions' in s && Array.isArray(s.partitions) ? s.partitions[0]?.dimensions : undefined;
  return dims && typeof dims === 'object'
    ? Object.entries(dims)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',')
    : '';
}

/** The rows an input or output facet set counts, if any. */
export function rowsOf(facets: DatasetFacets | null | undefined): number | undefined {
  const n = facets?.outputStatistics?.rowCount ?? facets?.inputStatistics?.rowCount ?? facets?.dataQualityMetrics?.rowCount;
  return typeof n === 'number' ? n : undefined;
}

/** A count with thousands separators. */
export const count = (n: number): string => n.toLocaleString('en-US');

/** A badge for a run state, coloured by health (a completed run whose data tests warned is amber). */
export function stateBadge(state: string | null | undefined, health?: Health): HTMLSpanElement {
  const text = state || 'NEW';
  const h =
    health ?? (text === 'FAILED' || text === 'ABORTED' ? 'failed' : text === 'COMPLETED' ? 'ok' : text === 'RUNNING' ? 'running' : 'none');
  return el('span', { class: `badge badge-${h}`, 'data-state': text }, h === 'warned' && text === 'COMPLETED' ? 'COMPLETED · WARN' : text);
}

/** A badge with a word, coloured by health. */
export const badge = (text: string, health: Health): HTMLSpanElement => el('span', { class: `badge badge-${health}` }, text);

/** A name too long for a box, shortened in the middle so both its start and its end stay (the full name goes in a tooltip). */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.ceil((max - 1) * 0.6);
  return `${text.slice(0, max - 1 - tail)}…${text.slice(text.length - tail)}`;
}
