import type {
  Dataset,
  DatasetVersion,
  DatasetVersionList,
  Job,
  JobList,
  LineageGraph,
  LineageNode,
  Run,
  RunList,
  SearchResult,
  SearchResultList,
} from '../marquez/api.ts';
import { TraceError } from './trace-error.ts';

/** The part of Marquez's read API tracing uses; works against Marquez and Sluice's catalog alike. */
export class MarquezReader {
  readonly base: string;
  readonly #headers: Record<string, string>;
  readonly #cache = new Map<string, Promise<unknown>>();

  constructor(url: string, apiKey?: string) {
    this.base = url.replace(/\/+$/, '');
    this.#headers = apiKey ? { authorization: `Bearer ${apiKey}`, accept: 'application/json' } : { accept: 'application/json' };
  }

  /** GET `/api/v1/<path>`, answered in Marquez's shape `T`; undefined on 404. Answers are cached for the life of one trace. */
  #get<T>(path: string): Promise<T | undefined> {
    let answer = this.#cache.get(path);
    if (!answer) {
      answer = this.#fetch(path);
      this.#cache.set(path, answer);
    }
    // The backend is trusted to speak Marquez's API; readers still check the facet fields they rely on.
    return answer as Promise<T | undefined>;
  }

  async #fetch(path: string): Promise<unknown> {
    const url = `${this.base}/api/v1/${path}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.#headers, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new TraceError('TRACE_BACKEND', `cannot reach ${this.base}: ${(error as Error).message}`);
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new TraceError('TRACE_BACKEND', `GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return res.json();
  }

  /** A run by id. */
  run(id: string): Promise<Run | undefined> {
    return this.#get<Run>(`jobs/runs/${encodeURIComponent(id)}`);
  }

  /** A job. */
  job(namespace: string, name: string): Promise<Job | undefined> {
    return this.#get<Job>(`namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}`);
  }

  /** The jobs of a namespace (the first 1,000). */
  async jobs(namespace: string): Promise<Job[]> {
    return (await this.#get<JobList>(`namespaces/${encodeURIComponent(namespace)}/jobs?limit=1000`))?.jobs ?? [];
  }

  /** A job's runs, newest first (the first 100). */
  async runs(namespace: string, name: string): Promise<Run[]> {
    return (
      (await this.#get<RunList>(`namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}/runs?limit=100`))?.runs ?? []
    );
  }

  /** A dataset. */
  dataset(namespace: string, name: string): Promise<Dataset | undefined> {
    return this.#get<Dataset>(`namespaces/${encodeURIComponent(namespace)}/datasets/${encodeURIComponent(name)}`);
  }

  /**
   * A dataset version as a run's inputs or outputs name it. Marquez names those by the version's content hash while
   * `/versions/{version}` takes the version's row uuid, so when the direct read finds nothing, the version is the one
   * whose creating run lists that hash among its outputs (the embedded catalog uses one id for both).
   */
  async datasetVersion(namespace: string, name: string, version: string): Promise<DatasetVersion | undefined> {
    const dataset = `namespaces/${encodeURIComponent(namespace)}/datasets/${encodeURIComponent(name)}`;
    const direct = await this.#get<DatasetVersion>(`${dataset}/versions/${encodeURIComponent(version)}`);
    if (direct) return direct;
    const versions = (await this.#get<DatasetVersionList>(`${dataset}/versions?limit=100`))?.versions ?? [];
    return versions.find((v) =>
      (v.createdByRun?.outputDatasetVersions ?? []).some((o) => {
        const id = o.datasetVersionId;
        return id?.namespace === namespace && id?.name === name && id?.version === version;
      }),
    );
  }

  /** The `/lineage` graph around a node. */
  async lineage(nodeId: string, depth: number): Promise<LineageNode[]> {
    return (await this.#get<LineageGraph>(`lineage?nodeId=${encodeURIComponent(nodeId)}&depth=${depth}`))?.graph ?? [];
  }

  /** Jobs and datasets whose name contains `q` (the first 100). */
  async search(q: string): Promise<SearchResult[]> {
    return (await this.#get<SearchResultList>(`search?q=${encodeURIComponent(q)}&limit=100`))?.results ?? [];
  }
}
