// Public surface of the embedded Marquez-compatible lineage catalog.
export { CatalogStore } from './catalog-store.ts';
export { ingestEvent } from './ingest.ts';
export type { IngestResult } from './ingest.ts';
export { validateEvent } from './validate-event.ts';
export type { CatalogEvent, Rejection } from './validate-event.ts';
export { lineageGraph } from './lineage-graph.ts';
export type { LineageDirection } from './lineage-graph.ts';
export { columnLineageGraph } from './column-lineage.ts';
export { runLineage } from './run-lineage.ts';
export { handleRequest, startCatalogServer } from './catalog-server.ts';
export type { CatalogServer, CatalogServerOptions } from './catalog-server.ts';
export { importEventsFile } from './import-events.ts';
export type { ImportReport } from './import-events.ts';
export { recordStateDirLineage } from './record-state-dir.ts';
