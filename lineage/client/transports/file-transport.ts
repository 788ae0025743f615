import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { FileTransportConfigSchema } from '../config-schema.ts';
import type { FileTransportConfig } from '../config-schema.ts';
import { LineageConfigError, LineageTransportError } from '../errors.ts';
import type { LineageEvent } from '../event.ts';
import { formatIssues } from '../../../core/issues.ts';
import { lineageWording } from '../issues.ts';
import { serializeEvent } from '../serialize.ts';
import type { Transport } from './transport.ts';

/** Settings accepted by {@link FileTransport} (the `type` is implied). */
export type FileTransportOptions = Omit<z.input<typeof FileTransportConfigSchema>, 'type'>;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

// Python's `%Y%m%d-%H%M%S.%f` in local time; JS has milliseconds, so the last three digits count
// events within one millisecond and keep file names unique.
function timestamp(date: Date, subMillisecond: number): string {
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}.` +
    `${pad(date.getMilliseconds(), 3)}${pad(subMillisecond, 3)}`
  );
}

/**
 * Writes events to files, like openlineage-python's file transport: with `append: true` each event is one JSON line
 * appended to `log_file_path`; otherwise each event goes to its own `<log_file_path>-<YYYYMMDD-HHMMSS.ffffff>.json`.
 * Parent directories are created.
 */
export class FileTransport implements Transport {
  /** Validated settings. */
  readonly config: FileTransportConfig;
  #dirReady: Promise<unknown> | undefined;

  constructor(options: FileTransportOptions) {
    const parsed = FileTransportConfigSchema.safeParse({ type: 'file', ...options }, { reportInput: true });
    if (!parsed.success)
      throw new LineageConfigError(formatIssues(parsed.error.issues, { prefix: ['transport'], wording: lineageWording }), 'file transport');
    this.config = parsed.data;
  }

  /** Appends or writes the event; rejects with a LineageTransportError naming the path. */
  async emit(event: LineageEvent): Promise<void> {
    const line = `${serializeEvent(event)}\n`;
    const path = this.config.log_file_path;
    try {
      this.#dirReady ??= mkdir(dirname(resolve(path)), { recursive: true });
      await this.#dirReady;
      if (this.config.append) {
        // One write per event with O_APPEND, so concurrent writers never interleave within a line.
        await appendFile(path, line, 'utf8');
      } else {
        await this.#writeNew(path, line);
      }
    } catch (error) {
      this.#dirReady = undefined;
      throw new LineageTransportError(`file transport: could not write the event to ${path}: ${(error as Error).message}`, {
        cause: error,
        retryable: true,
      });
    }
  }

  async #writeNew(path: string, line: string): Promise<void> {
    const now = new Date();
    for (let n = 0; n < 1000; n += 1) {
      try {
        await writeFile(`${path}-${timestamp(now, n)}.json`, line, { encoding: 'utf8', flag: 'wx' });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw new Error('more than 1000 events in one millisecond');
  }

  /** `file <path>` when appending, `file <path>-<time>.json` otherwise. */
  describe(): string {
    return this.config.append ? `file ${this.config.log_file_path}` : `file ${this.config.log_file_path}-<time>.json (one file per event)`;
  }
}
