/** The lineage page served at `/` (placeholder until the page is built). */
export const LINEAGE_PAGE = '<!doctype html><title>Sluice lineage</title><p>Sluice lineage catalog: the API is at /api/v1.</p>';
