import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../../lineage/catalog/index.ts';
import type { LineageGraph, LineageNode } from '../../../../lineage/marquez/api.ts';
import { graphModel } from '../../../../lineage/catalog/page/browser/graph-model.ts';
import { assertionOutcome, graphHealth } from '../../../../lineage/catalog/page/browser/health.ts';
import { parseRoute, routeHash } from '../../../../lineage/catalog/page/browser/routes.ts';
import type { Route } from '../../../../lineage/catalog/page/browser/routes.ts';
import { matchFields, rank } from '../../../../lineage/catalog/page/browser/search-rank.ts';
import { READABLE_ZOOM, initialView } from '../../../../lineage/catalog/page/browser/view-fit.ts';
import { post } from '../churn-events.ts';
import { wideLineageEvents } from './wide-lineage.ts';

describe('the page routes', () => {
  it.each<Route>([
    { view: 'home' },
    { view: 'search', q: 'monthly charges & more' },
    { view: 'job', namespace: 'sluice', name: 'churn.test', depth: 2, direction: 'both' },
    { view: 'job', namespace: 'sluice', name: 'churn.test', depth: 5, direction: 'upstream' },
    { view: 'dataset', namespace: 's3://churn-data', name: 'quarantine/customers', depth: 2, direction: 'both' },
    {
      view: 'dataset',
      namespace: 's3://churn-data',
      name: 'staged/customers',
      version: '573df8d8-f270',
      depth: 3,
      direction: 'downstream',
    },
    { view: 'field', namespace: 'postgres://db:5432', name: 'public.orders', field: 'amount:usd' },
    { view: 'run', id: '5cdcea3b-4784-58c6-911e-b119c6c32d48', depth: 2, direction: 'both' },
    { view: 'trace', id: '5cdcea3b-4784-58c6-911e-b119c6c32d48' },
  ])('reads back the hash it writes for %j', (route) => {
    expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it('opens a bare node id, as the page linked before', () => {
    expect(parseRoute(`#${encodeURIComponent('dataset:s3://churn-data:staged/customers')}`)).toEqual({
      view: 'dataset',
      namespace: 's3://churn-data',
      name: 'staged/customers',
      depth: 2,
      direction: 'both',
    });
    expect(parseRoute('#job:host:5432:etl.load')).toMatchObject({ view: 'job', namespace: 'host:5432', name: 'etl.load' });
  });

  it.each(['#/nope', '#/job/only-namespace', '#/run/%E0%A4%A', '#/dataset/a/b/version', '#garbage'])('names %s an unknown view', (hash) => {
    expect(parseRoute(hash).view).toBe('unknown');
  });

  it('falls back to the default scope for a depth or direction out of range', () => {
    expect(parseRoute('#/job/a/b?depth=500&direction=sideways')).toMatchObject({ depth: 2, direction: 'both' });
  });
});

describe('what the page marks', () => {
  it.each([
    [{ success: true, severity: 'error' }, 'passed'],
    [{ success: false, severity: 'error' }, 'failed'],
    [{ success: false }, 'failed'],
    [{ success: false, severity: 'warn' }, 'warned'],
    [{ success: false, severity: 'WARNING' }, 'warned'],
    [{ success: false, severity: 42 }, 'failed'],
    [{}, 'passed'],
  ])('reads assertion %j as %s', (assertion, outcome) => {
    expect(assertionOutcome(assertion)).toBe(outcome);
  });
});

describe('the graph model on a 302-node lineage graph', () => {
  let catalog: CatalogServer;
  let graph: LineageNode[];
  const focus = 'job:wide:p15.features';

  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0 });
    for (const event of wideLineageEvents(30)) expect((await post(catalog.url, event)).status).toBe(201);
    const res = await fetch(`${catalog.url}/api/v1/lineage?nodeId=${encodeURIComponent(focus)}&depth=50`);
    graph = ((await res.json()) as LineageGraph).graph;
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it('marks failed runs, warnings and quarantined batches apart, from the jobs latest runs alone', () => {
    expect(graph.length).toBe(302);
    const health = graphHealth(graph);
    expect(health.get('job:wide:p03.test')).toEqual({ health: 'failed', label: 'FAILED' });
    expect(health.get('dataset:s3://wide-data:quarantine/p03')).toEqual({ health: 'quarantined', label: 'QUARANTINED' });
    expect(health.get('dataset:s3://wide-data:staged/p03')).toEqual({ health: 'failed', label: 'TESTS FAILED' });
    expect(health.get('job:wide:p02.test')).toEqual({ health: 'warned', label: 'WARN' });
    expect(health.get('dataset:s3://wide-data:staged/p02')).toEqual({ health: 'warned', label: 'WARN' });
    expect(health.get('dataset:s3://wide-data:quarantine/p02')).toEqual({ health: 'ok', label: '' });
    expect(health.get('job:wide:p01.test')).toEqual({ health: 'ok', label: 'COMPLETED' });
    const counts = [...health.values()].reduce<Record<string, number>>((c, h) => ({ ...c, [h.health]: (c[h.health] ?? 0) + 1 }), {});
    // Pipelines 3, 10, 17 and 24 fail (job and staged data); 2, 7, 12, 22 and 27 warn (17 fails instead).
    expect(counts).toMatchObject({ failed: 8, quarantined: 4, warned: 10 });
  });

  it('shows every node from the focus, and collapsing a side hides what only that side reaches', () => {
    const all = graphModel(graph, focus);
    expect(all.nodes).toHaveLength(302);
    expect(all.nodes.filter((n) => n.focus).map((n) => n.id)).toEqual([focus]);
    // Every pipeline reaches every other through the shared model and reference data: collapse those too.
    const shared = ['dataset:s3://wide-data:models/shared', 'dataset:s3://wide-data:reference/regions'];
    const up = graphModel(graph, focus, { up: new Set([focus]), down: new Set(shared) });
    expect(up.nodes.map((n) => n.id).sort()).toEqual([
      'dataset:s3://wide-data:features/p15',
      'dataset:s3://wide-data:models/shared',
      'dataset:s3://wide-data:predictions/p15',
      focus,
      'job:wide:p15.score',
    ]);
    const node = up.nodes.find((n) => n.id === focus)!;
    expect(node.upstream).toMatchObject({ collapsed: true, edges: 3 });
    const opened = graphModel(graph, focus, { up: new Set(), down: new Set(shared) });
    expect(node.upstream.hidden).toBe(opened.nodes.length - up.nodes.length);
    expect(node.upstream.hidden).toBeGreaterThan(100);
    expect(up.edges.every((e) => up.nodes.some((n) => n.id === e.source) && up.nodes.some((n) => n.id === e.target))).toBe(true);
    const both = graphModel(graph, focus, { up: new Set([focus]), down: new Set([focus]) });
    expect(both.nodes.map((n) => n.id)).toEqual([focus]);
  });
});

describe('the first view of a graph', () => {
  const viewport = { width: 900, height: 700 };

  it('shows all of a graph that fits readably', () => {
    const view = initialView({ x: 0, y: 0, width: 600, height: 300 }, { x: 0, y: 0, width: 236, height: 60 }, viewport);
    expect(view.k).toBe(1);
    expect(view.x).toBeCloseTo(150);
  });

  it('keeps a wide graph readable with its focus in view, the graph filling the screen', () => {
    const content = { x: 0, y: 0, width: 6000, height: 4000 };
    for (const focus of [
      { x: 2900, y: 2000, width: 236, height: 60 },
      { x: 5740, y: 3900, width: 236, height: 60 },
      { x: 24, y: 24, width: 236, height: 60 },
    ]) {
      const v = initialView(content, focus, viewport);
      expect(v.k).toBe(READABLE_ZOOM);
      const left = focus.x * v.k + v.x;
      const top = focus.y * v.k + v.y;
      expect(left).toBeGreaterThanOrEqual(0);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(left + focus.width * v.k).toBeLessThanOrEqual(viewport.width);
      expect(top + focus.height * v.k).toBeLessThanOrEqual(viewport.height);
      // No empty band at either edge where the graph goes on.
      expect(v.x).toBeLessThanOrEqual(24);
      expect(content.width * v.k + v.x).toBeGreaterThanOrEqual(viewport.width - 24);
    }
  });
});

describe('search order', () => {
  it('puts an exact name first, then a last segment, then a prefix, then any match', () => {
    const names = ['churn.score', 'score', 'scores_total', 'prescore'];
    expect(names.sort((a, b) => rank(a, 'score') - rank(b, 'score'))).toEqual(['score', 'churn.score', 'scores_total', 'prescore']);
    expect(rank('plan', 'score')).toBe(Number.POSITIVE_INFINITY);
  });

  it('finds fields by part of their name, any case, best first and no more than asked', () => {
    const f = (field: string) => ({ namespace: 'n', dataset: 'd', field, type: null });
    expect(matchFields([f('monthly_charges'), f('Charges'), f('plan'), f('charges_2')], 'CHARGES', 2).map((x) => x.field)).toEqual([
      'Charges',
      'charges_2',
    ]);
    expect(matchFields([f('a')], '  ', 5)).toEqual([]);
  });
});
