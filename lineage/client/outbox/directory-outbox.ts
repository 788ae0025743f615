import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isOutboxEntryName, outboxEntryName } from './outbox.ts';
import type { LineageOutbox } from './outbox.ts';

/**
 * An outbox in a local directory, one JSON file per event. A file is written under a hidden temporary name and
 * renamed into place, so a reader never sees half an event; the directory is created on first use.
 */
export class DirectoryOutbox implements LineageOutbox {
  /** Absolute path of the directory. */
  readonly directory: string;
  #ready: Promise<unknown> | undefined;

  constructor(directory: string) {
    this.directory = resolve(directory);
  }

  /** Writes the event to a new file. */
  async put(json: string): Promise<string> {
    this.#ready ??= mkdir(this.directory, { recursive: true });
    try {
      await this.#ready;
    } catch (error) {
      this.#ready = undefined;
      throw error;
    }
    const name = outboxEntryName();
    const temporary = join(this.directory, `.${name}.tmp`);
    await writeFile(temporary, json.endsWith('\n') ? json : `${json}\n`, { encoding: 'utf8', flag: 'wx' });
    await rename(temporary, join(this.directory, name));
    return name;
  }

  /** Entry files, oldest first; an absent directory is an empty outbox. */
  async list(): Promise<string[]> {
    try {
      return (await readdir(this.directory)).filter(isOutboxEntryName).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** The content of one entry. */
  async read(name: string): Promise<string> {
    return readFile(join(this.directory, name), 'utf8');
  }

  /** Deletes one entry. */
  async remove(name: string): Promise<void> {
    await rm(join(this.directory, name), { force: true });
  }

  /** `directory <path>`. */
  describe(): string {
    return `directory ${this.directory}`;
  }
}
