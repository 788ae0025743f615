// sluice/catalog: the embedded Marquez-compatible lineage catalog (HTTP API and lineage page on SQLite).
export { startCatalogServer } from './catalog-server.ts';
export { isLoopback } from './request-guard.ts';
export type { CatalogServer, CatalogServerOptions } from './catalog-server.ts';
export { CatalogStore } from './catalog-store.ts';
export { ingestEvent } from './ingest.ts';
export type { IngestResult } from './ingest.ts';
export { importEventsFile } from './import-events.ts';
export type { ImportReport } from './import-events.ts';
export { recordStateDirLineage } from './record-state-dir.ts';
// The JSON shapes of the HTTP API's answers, as types (`marquez.Job`, `marquez.LineageGraph`, …).
export type * as marquez from '../marquez/api.ts';
