import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { CLAIM_LAPSES_MS, isOutboxEntryName, outboxEntryName } from './outbox.ts';
import type { LineageOutbox } from './outbox.ts';

const CLAIMED = /^\.claim-(\d+)-[0-9a-f]+-(.+)$/;

/**
 * An outbox in a local directory, one JSON file per event. A file is written under a hidden temporary name and
 * renamed into place, so a reader never sees half an event; the directory is created on first use. A replay claims an
 * entry by renaming it to a hidden `.claim-<time>-<replay>-<entry>` (a rename has one winner).
 */
export class DirectoryOutbox implements LineageOutbox {
  /** Absolute path of the directory. */
  readonly directory: string;
  #ready: Promise<unknown> | undefined;
  readonly #claims = new Map<string, string>();
  readonly #replay = randomBytes(4).toString('hex');

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

  /** Entry files, oldest first (claims that lapsed are given back first); an absent directory is an empty outbox. */
  async list(): Promise<string[]> {
    let files: string[];
    try {
      files = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries = files.filter(isOutboxEntryName);
    for (const file of files) {
      const m = CLAIMED.exec(file);
      if (!m || Date.now() - Number(m[1]) < CLAIM_LAPSES_MS || !isOutboxEntryName(m[2]!)) continue;
      // Its replay was killed: the entry goes back, unless another replay just took it back first.
      if (
        await rename(join(this.directory, file), join(this.directory, m[2]!)).then(
          () => true,
          () => false,
        )
      )
        entries.push(m[2]!);
    }
    return entries.sort();
  }

  /** Renames the entry to a claim of this outbox's replay; false when another replay renamed it first. */
  async claim(name: string): Promise<boolean> {
    const claimed = `.claim-${Date.now()}-${this.#replay}-${name}`;
    try {
      await rename(join(this.directory, name), join(this.directory, claimed));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    this.#claims.set(name, claimed);
    return true;
  }

  /** Renames a claimed entry back. */
  async release(name: string): Promise<void> {
    const claimed = this.#claims.get(name);
    if (claimed === undefined) return;
    this.#claims.delete(name);
    await rename(join(this.directory, claimed), join(this.directory, name));
  }

  /** The content of one entry (claimed or not). */
  async read(name: string): Promise<string> {
    return readFile(join(this.directory, this.#claims.get(name) ?? name), 'utf8');
  }

  /** Deletes one entry. */
  async remove(name: string): Promise<void> {
    await rm(join(this.directory, this.#claims.get(name) ?? name), { force: true });
    this.#claims.delete(name);
  }

  /** `directory <path>`. */
  describe(): string {
    return `directory ${this.directory}`;
  }
}
