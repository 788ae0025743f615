// Pan and zoom of the graph: one transform on the layer that holds it; drag to pan, wheel or buttons to zoom.
import type { Rect } from './layout.ts';

/** Screen = layout × k + (x, y). */
export type View = { k: number; x: number; y: number };

/** The size of the graph's viewport on screen. */
export type Viewport = { width: number; height: number };

/** The smallest and largest zoom. */
export const ZOOM_LIMITS = { min: 0.08, max: 2.5 } as const;

/** Below this zoom node names get too small to read, so the first view never goes below it. */
export const READABLE_ZOOM = 0.75;

const PADDING = 24;

const clampK = (k: number) => Math.min(ZOOM_LIMITS.max, Math.max(ZOOM_LIMITS.min, k));

/** The view that shows all of `content`, no larger than `maxK`. */
export function fitView(content: Rect, viewport: Viewport, maxK = 1): View {
  const k = clampK(
    Math.min(
      maxK,
      (viewport.width - 2 * PADDING) / Math.max(1, content.width),
      (viewport.height - 2 * PADDING) / Math.max(1, content.height),
    ),
  );
  return {
    k,
    x: (viewport.width - content.width * k) / 2 - content.x * k,
    y: (viewport.height - content.height * k) / 2 - content.y * k,
  };
}

/** The view at zoom `k` with `target`'s centre in the middle of the viewport. */
export function centreView(target: Rect, viewport: Viewport, k: number): View {
  return { k, x: viewport.width / 2 - (target.x + target.width / 2) * k, y: viewport.height / 2 - (target.y + target.height / 2) * k };
}

/** `view` moved as little as possible so that no empty margin shows on a side where more of the content lies beyond. */
export function clampView(view: View, content: Rect, viewport: Viewport): View {
  const axis = (offset: number, start: number, size: number, screen: number) => {
    const lo = screen - PADDING - (start + size) * view.k; // content's far edge at the screen's far edge
    const hi = PADDING - start * view.k; // content's near edge at the screen's near edge
    return lo > hi ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, offset));
  };
  return {
    k: view.k,
    x: axis(view.x, content.x, content.width, viewport.width),
    y: axis(view.y, content.y, content.height, viewport.height),
  };
}

/**
 * The first view of a graph: all of it when it fits at a readable zoom; else readable, centred on the focus, then moved
 * so that the graph fills the screen (a focus at the graph's end is no longer in the middle, but still in view).
 */
export function initialView(content: Rect, focus: Rect | undefined, viewport: Viewport): View {
  const fit = fitView(content, viewport);
  if (fit.k >= READABLE_ZOOM || !focus) return fit;
  return clampView(centreView(focus, viewport, READABLE_ZOOM), content, viewport);
}

/** Drag, wheel and keyboard pan and zoom of `layer` inside `svg`. */
export class PanZoom {
  view: View = { k: 1, x: 0, y: 0 };
  /** Called after every change of the view. */
  onChange: (view: View) => void = () => {};
  readonly #svg: SVGSVGElement;
  readonly #layer: SVGGElement;

  constructor(svg: SVGSVGElement, layer: SVGGElement) {
    this.#svg = svg;
    this.#layer = layer;
    svg.addEventListener('wheel', (e) => this.#wheel(e), { passive: false });
    svg.addEventListener('pointerdown', (e) => this.#drag(e));
    svg.addEventListener('keydown', (e) => this.#key(e));
  }

  /** The viewport's size on screen. */
  viewport(): Viewport {
    const r = this.#svg.getBoundingClientRect();
    return { width: r.width, height: r.height };
  }

  /** Shows `view` (zoom clamped to the limits). */
  set(view: View): void {
    this.view = { ...view, k: clampK(view.k) };
    this.#layer.setAttribute(
      'transform',
      `translate(${this.view.x.toFixed(2)},${this.view.y.toFixed(2)}) scale(${this.view.k.toFixed(4)})`,
    );
    this.onChange(this.view);
  }

  /** Zooms by `factor` keeping the screen point (`px`, `py`) still; the viewport's centre by default. */
  zoom(factor: number, px?: number, py?: number): void {
    const vp = this.viewport();
    const cx = px ?? vp.width / 2;
    const cy = py ?? vp.height / 2;
    const k = clampK(this.view.k * factor);
    const ratio = k / this.view.k;
    this.set({ k, x: cx - (cx - this.view.x) * ratio, y: cy - (cy - this.view.y) * ratio });
  }

  #wheel(e: WheelEvent): void {
    e.preventDefault();
    const r = this.#svg.getBoundingClientRect();
    // Pixels, lines or pages: the same feel whatever the device reports.
    const delta = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
    this.zoom(Math.exp(-delta * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }

  #drag(e: PointerEvent): void {
    if (e.button !== 0 || (e.target instanceof Element && e.target.closest('.node, .toggle, .field-row'))) return;
    const start = { x: e.clientX, y: e.clientY, view: this.view };
    this.#svg.setPointerCapture(e.pointerId);
    this.#svg.classList.add('dragging');
    const move = (m: PointerEvent) =>
      this.set({ ...start.view, x: start.view.x + m.clientX - start.x, y: start.view.y + m.clientY - start.y });
    const end = () => {
      this.#svg.removeEventListener('pointermove', move);
      this.#svg.classList.remove('dragging');
    };
    this.#svg.addEventListener('pointermove', move);
    this.#svg.addEventListener('pointerup', end, { once: true });
    this.#svg.addEventListener('pointercancel', end, { once: true });
  }

  #key(e: KeyboardEvent): void {
    const step = 60;
    const pan: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    if (e.key === '+' || e.key === '=') this.zoom(1.25);
    else if (e.key === '-' || e.key === '_') this.zoom(0.8);
    else if (pan[e.key]) this.set({ ...this.view, x: this.view.x + pan[e.key]![0], y: this.view.y + pan[e.key]![1] });
    else return;
    e.preventDefault();
  }
}
