// The SVG the graphs are drawn in: arrow markers and patterns, the pan-and-zoom layer, and the first view of a graph.
import { svgEl } from './dom.ts';
import type { Placement, Point, Rect } from './layout.ts';
import { PanZoom } from './pan-zoom.ts';
import { READABLE_ZOOM, centreView, fitView, initialView } from './view-fit.ts';

const DEFS = `
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,1 L9,5 L0,9 z" class="arrow"/></marker>
<marker id="arrow-strong" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,1 L9,5 L0,9 z" class="arrow strong"/></marker>
<pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="8" class="hatch-line"/></pattern>`;

/** An orthogonal polyline as an SVG path with rounded bends. */
export function edgePath(points: Point[], radius = 6): string {
  if (points.length === 0) return '';
  const p = points;
  let d = `M${p[0]!.x},${p[0]!.y}`;
  for (let i = 1; i < p.length - 1; i += 1) {
    const a = p[i - 1]!;
    const b = p[i]!;
    const c = p[i + 1]!;
    const r = Math.min(radius, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const inX = b.x - Math.sign(b.x - a.x) * r;
    const inY = b.y - Math.sign(b.y - a.y) * r;
    const outX = b.x + Math.sign(c.x - b.x) * r;
    const outY = b.y + Math.sign(c.y - b.y) * r;
    d += ` L${inX},${inY} Q${b.x},${b.y} ${outX},${outY}`;
  }
  const last = p[p.length - 1]!;
  return `${d} L${last.x},${last.y}`;
}

/** The graph's SVG with pan and zoom; one per page, redrawn for every view. */
export class GraphCanvas {
  readonly svg: SVGSVGElement;
  readonly layer: SVGGElement;
  readonly panZoom: PanZoom;
  #placement: Placement | undefined;
  #focus: string | undefined;
  #ticket = 0;

  constructor(container: HTMLElement) {
    this.svg = svgEl('svg', { id: 'lineage-graph', tabindex: 0, role: 'img', 'aria-label': 'lineage graph' }) as SVGSVGElement;
    const defs = svgEl('defs');
    defs.innerHTML = DEFS;
    this.layer = svgEl('g', { class: 'layer' }) as SVGGElement;
    this.svg.append(defs, this.layer);
    container.replaceChildren(this.svg);
    this.panZoom = new PanZoom(this.svg, this.layer);
  }

  /** Claims the canvas for a drawing about to start; a later claim makes an earlier one's {@link show} a no-op. */
  claim(): number {
    this.#ticket += 1;
    return this.#ticket;
  }

  /** True while `ticket` is the latest claim. */
  holds(ticket: number): boolean {
    return ticket === this.#ticket;
  }

  /**
   * Draws new content (unless `ticket` is no longer the latest claim): `draw` fills the layer; the view shows all of it
   * or, when that would be too small to read, its focus at a readable zoom.
   */
  show(ticket: number, placement: Placement, draw: (layer: SVGGElement) => void, focus?: string, keepView = false): void {
    if (ticket !== this.#ticket) return;
    this.#placement = placement;
    this.#focus = focus;
    this.layer.replaceChildren();
    draw(this.layer);
    // Says which graph is on screen (tests and scripts wait on it).
    this.svg.setAttribute('data-focus', focus ?? '');
    if (!keepView) this.panZoom.set(initialView(this.#content(), this.rect(focus), this.panZoom.viewport()));
  }

  /** Empties the canvas. */
  clear(): void {
    this.claim();
    this.#placement = undefined;
    this.layer.replaceChildren();
  }

  /** Where a box was placed. */
  rect(id: string | undefined): Rect | undefined {
    return id === undefined ? undefined : this.#placement?.boxes.get(id);
  }

  /** Shows the whole graph. */
  fit(): void {
    if (this.#placement) this.panZoom.set(fitView(this.#content(), this.panZoom.viewport()));
  }

  /** Centres the focused node at a readable zoom (or the current one, if larger). */
  centreFocus(): void {
    const r = this.rect(this.#focus);
    if (r) this.panZoom.set(centreView(r, this.panZoom.viewport(), Math.max(READABLE_ZOOM, this.panZoom.view.k)));
  }

  #content(): Rect {
    const p = this.#placement;
    return { x: 0, y: 0, width: p?.width ?? 0, height: p?.height ?? 0 };
  }
}
