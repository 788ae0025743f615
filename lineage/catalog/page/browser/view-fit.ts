// Where the graph's view goes: fit all of it, centre a node, keep the graph filling the screen. Pure arithmetic.
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
