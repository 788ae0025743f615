// s3rver ships no types; this declares the part the embedded S3 uses.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    directory?: string;
    silent?: boolean;
    configureBuckets?: Array<{ name: string }>;
  }

  /** A classic S3 notification, as s3rver emits it. */
  export interface S3rverEvent {
    Records: Array<{
      eventName: string;
      eventTime: string;
      s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer?: string } };
    }>;
  }

  export default class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    httpServer?: Server;
    /** Its file store (`lib/stores/filesystem.js`). */
    store: import('../local/atomic-store.ts').S3rverFileStore;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    on(event: 'event', listener: (event: S3rverEvent) => void): this;
  }
}
