/** A failure to talk to the lineage backend, or an answer that is not what Marquez sends. */
export class TraceError extends Error {
  readonly code: 'TRACE_NOT_FOUND' | 'TRACE_BACKEND' | 'TRACE_INPUT';
  constructor(code: TraceError['code'], message: string) {
    super(message);
    this.name = 'TraceError';
    this.code = code;
  }
}

type Obj = Record<string, any>;

/** The part of Marquez's read API tracing uses; works against Marquez and Sluice's catalog alike. */
export class MarquezApi {
  readonly base: string;
  readonly #headers: Record<string, string>;
  readonly #cache = new Map<string, Promise<Obj | undefined>>();

  constructor(url: string, apiKey?: string) {
    this.base = url.replace(/\/+$/, '');
    this.#headers = apiKey ? { authorization: `Bearer ${apiKey}`, accept: 'application/json' } : { accept: 'application/json' };
  }

  /** GET `/api/v1/<path>`; undefined on 404. Answers are cached for the life of one trace. */
  get(path: string): Promise<Obj | undefined> {
    let answer = this.#cache.get(path);
    if (!answer) {
      answer = this.#fetch(path);
      this.#cache.set(path, answer);
    }
    return answer;
  }

  async #fetch(path: string): Promise<Obj | undefined> {
    const url = `${this.base}/api/v1/${path}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.#headers, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new TraceError('TRACE_BACKEND', `cannot reach ${this.base}: ${(error as Error).message}`);
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new TraceError('TRACE_BACKEND', `GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as Obj;
  }

  run(id: string): Promise<Obj | undefined> {
    return this.get(`jobs/runs/${encodeURIComponent(id)}`);
  }

  job(namespace: string, name: string): Promise<Obj | undefined> {
    return this.get(`namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}`);
  }

  async runs(namespace: string, name: string): Promise<Obj[]> {
    return (await this.get(`namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}/runs?limit=100`))?.['runs'] ?? [];
  }

  dataset(namespace: string, name: string): Promise<Obj | undefined> {
    return this.get(`namespaces/${encodeURIComponent(namespace)}/datasets/${encodeURIComponent(name)}`);
  }

  /**
   * A dataset version as a run's inputs or outputs name it. Marquez names those by the version's content hash while
   * `/versions/{version}` takes the version's row uuid, so when the direct read finds nothing, the version is the one
   * whose creating run lists that hash among its outputs (the embedded catalog uses one id for both).
   */
  async datasetVersion(namespace: string, name: string, version: string): Promise<Obj | undefined> {
    const dataset = `namespaces/${encodeURIComponent(namespace)}/datasets/${encodeURIComponent(name)}`;
    const direct = await this.get(`${dataset}/versions/${encodeURIComponent(version)}`);
    if (direct) return direct;
    const versions: Obj[] = (await this.get(`${dataset}/versions?limit=100`))?.['versions'] ?? [];
    return versions.find((v) =>
      (v['createdByRun']?.['outputDatasetVersions'] ?? []).some((o: Obj) => {
        const id = o['datasetVersionId'] ?? {};
        return id['namespace'] === namespace && id['name'] === name && id['version'] === version;
      }),
    );
  }

  async lineage(nodeId: string, depth: number): Promise<Obj[]> {
    return (await this.get(`lineage?nodeId=${encodeURIComponent(nodeId)}&depth=${depth}`))?.['graph'] ?? [];
  }

  async search(q: string): Promise<Obj[]> {
    return (await this.get(`search?q=${encodeURIComponent(q)}&limit=100`))?.['results'] ?? [];
  }
}
