import { Worker } from 'node:worker_threads';
import { SluiceError } from '../../../core/errors.ts';
import type { FloatFunction } from '../../runtime/duckdb.ts';
import type { BinnedForest } from './binned-forest.ts';
import { scoreRange } from './score-kernel.ts';

/** Rows per block: DuckDB hands a scalar function at most one vector (2,048 rows) at a time. */
const BLOCK_ROWS = 2048;
/** Below this many rows per thread, waking a worker costs more than it saves. */
const MIN_ROWS_PER_THREAD = 256;
/** A worker that has not finished its share of one block by then is taken for lost. */
const WORKER_TIMEOUT_MS = 60_000;

// Each worker's control words, shared with it: a sequence number the main thread bumps to hand it a row range,
// the range (from < 0 ends the session), and the sequence number it finished (negative when it failed).
const SEQ = 0;
const FROM = 1;
const TO = 2;
const DONE = 3;

// The worker runs the kernel's own source text, so the Lambda bundle needs no separate worker file.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const scoreRange = ${scoreRange.toString()};
parentPort.on('message', ({ forest, x, bins, acc, out, control, stride }) => {
  const c = new Int32Array(control), X = new Float32Array(x), B = new Int32Array(bins), A = new Float64Array(acc), O = new Float64Array(out);
  for (let seen = 0; ; ) {
    Atomics.wait(c, ${SEQ}, seen);
    seen = Atomics.load(c, ${SEQ});
    if (c[${FROM}] < 0) return;
    try {
      scoreRange(forest, X, B, A, O, stride, c[${FROM}], c[${TO}]);
      Atomics.store(c, ${DONE}, seen);
    } catch (error) {
      Atomics.store(c, ${DONE}, -seen);
    }
    Atomics.notify(c, ${DONE});
  }
});`;

// Idle worker threads, kept between invocations: a warm Lambda (or a local run's next batch) reuses them. A scorer
// leases some for its session and returns them when it closes, so two scorers never share a worker.
const idle: Worker[] = [];
const broken = new WeakSet<Worker>();

function lease(count: number): Worker[] {
  const leased = idle.splice(0, count);
  while (leased.length < count) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: 'sluice-score' });
    // Idle workers must not keep the process (or a frozen Lambda) alive.
    worker.unref();
    worker.on('error', () => broken.add(worker));
    leased.push(worker);
  }
  return leased;
}

/** A tree scorer as a DuckDB float function, spreading each block's rows over `threads` threads (this one included). */
export interface ParallelScorer extends FloatFunction {
  /** Ends the workers' session; they return to waiting for the next one. */
  close(): void;
}

/**
 * Scores with a binned forest on this thread and `threads - 1` worker threads: each block DuckDB hands over is
 * split into row ranges, the workers' ranges start first, this thread scores the last and waits for the rest.
 * Rows live in shared memory, so nothing is copied to the workers. With one thread (or small blocks), no worker is used.
 */
export function parallelScorer(forest: BinnedForest, threads: number): ParallelScorer {
  const width = forest.width;
  const shared = (bytes: number) => new SharedArrayBuffer(bytes);
  const buffers = {
    x: shared(width * BLOCK_ROWS * 4),
    bins: shared(width * BLOCK_ROWS * 4),
    acc: shared(BLOCK_ROWS * 8),
    out: shared(BLOCK_ROWS * 8),
  };
  const x = new Float32Array(buffers.x);
  const bins = new Int32Array(buffers.bins);
  const acc = new Float64Array(buffers.acc);
  const out = new Float64Array(buffers.out);
  const helpers = threads > 1 ? lease(threads - 1) : [];
  const controls = helpers.map((worker) => {
    const control = new Int32Array(new SharedArrayBuffer(16));
    worker.postMessage({ forest, ...buffers, control: control.buffer, stride: BLOCK_ROWS });
    return control;
  });
  let seq = 0;
  return {
    inputs: width,
    block: { x, out, stride: BLOCK_ROWS },
    compute(rows) {
      const parts = Math.max(1, Math.min(helpers.length + 1, Math.floor(rows / MIN_ROWS_PER_THREAD)));
      const size = Math.ceil(rows / parts);
      seq++;
      for (let k = 0; k < parts - 1; k++) {
        const control = controls[k]!;
        control[FROM] = k * size;
        control[TO] = (k + 1) * size;
        Atomics.store(control, SEQ, seq);
        Atomics.notify(control, SEQ);
      }
      scoreRange(forest, x, bins, acc, out, BLOCK_ROWS, (parts - 1) * size, rows);
      try {
        for (let k = 0; k < parts - 1; k++) awaitWorker(controls[k]!, seq);
      } catch (error) {
        // A worker that failed or went silent could still write into these buffers: none of them is reused.
        for (const worker of helpers) broken.add(worker);
        throw error;
      }
    },
    close() {
      seq++;
      helpers.forEach((worker, k) => {
        const control = controls[k]!;
        control[FROM] = -1;
        Atomics.store(control, SEQ, seq);
        Atomics.notify(control, SEQ);
        if (broken.has(worker)) void worker.terminate();
        else idle.push(worker);
      });
    },
  };
}

function awaitWorker(control: Int32Array, seq: number): void {
  for (;;) {
    const done = Atomics.load(control, DONE);
    if (done === seq) return;
    if (done === -seq) throw new SluiceError('SCORE_WORKER', 'a scoring worker thread failed on its share of the rows');
    if (Atomics.wait(control, DONE, done, WORKER_TIMEOUT_MS) === 'timed-out') {
      throw new SluiceError('SCORE_WORKER', `a scoring worker thread did not finish within ${WORKER_TIMEOUT_MS / 1000} s`, {
        retryable: true,
      });
    }
  }
}
