/** Version of the Sluice OpenLineage client, sent as `processing_engine.openlineageAdapterVersion`. */
export const CLIENT_VERSION = '0.1.0';

/** Default `producer` of events and `_producer` of facets: this client's source, pinned to its version. */
export const PRODUCER = `https://github.com/sluice/sluice/tree/v${CLIENT_VERSION}`;
