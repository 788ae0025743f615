// Pan and zoom of the graph: one transform on the layer that holds it; drag to pan, wheel or buttons to zoom.
import { ZOOM_LIMITS } from './view-fit.ts';
import type { View, Viewport } from './view-fit.ts';

const clampK = (k: number) => Math.min(ZOOM_LIMITS.max, Math.max(ZOOM_LIMITS.min, k));

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
