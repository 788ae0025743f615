// ELK is large and a 300-node layout takes a moment, so the page runs it in a Web Worker: elkjs's client here, ELK's
// worker script served by the catalog.
import Elk from 'elkjs/lib/elk-api.js';
import type { ELK } from 'elkjs/lib/elk-api.js';
import type { Layouter } from './layout.ts';

let worker: ELK | undefined;

/** ELK in a Web Worker loaded from `url`, started once per page. */
export function workerLayouter(url: string): Layouter {
  return (graph) => {
    worker ??= new Elk({ workerUrl: url });
    return worker.layout(graph);
  };
}
