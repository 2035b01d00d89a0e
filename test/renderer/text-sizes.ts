import type { Page } from 'playwright-core';

/** One piece of visible text and the size a person sees it at, in CSS pixels. */
export interface RenderedText {
  text: string;
  px: number;
  tag: string;
}

interface MeasuredNode {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<MeasuredNode>;
}

interface MeasuredElement extends MeasuredNode {
  tagName: string;
  namespaceURI: string | null;
  closest(selector: string): MeasuredElement | null;
  getClientRects(): { length: number };
  getScreenCTM?: () => { a: number; b: number } | null;
}

interface MeasuringWindow {
  document: { querySelectorAll(selector: string): ArrayLike<MeasuredElement> };
  getComputedStyle(element: MeasuredElement): { fontSize: string; visibility: string };
}

/**
 * Every element under `root` that shows text of its own, with its font size as rendered: the
 * computed CSS size times the element's on-screen scale. SVG text inside a viewBox that the browser
 * shrinks or stretches has a computed size of e.g. 11px but appears at 11px times that scale, which
 * is exactly the bug a computed size alone would miss. Titles and options are not drawn text.
 */
export function renderedTextSizes(page: Page, root: string): Promise<RenderedText[]> {
  return page.evaluate((rootSelector) => {
    const win = globalThis as unknown as MeasuringWindow;
    const found: RenderedText[] = [];
    const elements = Array.from(win.document.querySelectorAll(`${rootSelector}, ${rootSelector} *`));
    for (const element of elements) {
      const tag = element.tagName.toLowerCase();
      if (['title', 'option', 'script', 'style', 'desc'].includes(tag)) continue;
      if (element.closest('title, desc') !== null) continue;
      const ownText = Array.from(element.childNodes)
        .filter((node) => node.nodeType === 3)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      if (ownText === '') continue;
      const style = win.getComputedStyle(element);
      if (style.visibility === 'hidden' || element.getClientRects().length === 0) continue;
      let scale = 1;
      if (element.namespaceURI === 'http://www.w3.org/2000/svg' && element.getScreenCTM) {
        const matrix = element.getScreenCTM();
        if (matrix !== null) scale = Math.hypot(matrix.a, matrix.b);
      }
      found.push({ text: ownText.slice(0, 40), px: parseFloat(style.fontSize) * scale, tag });
    }
    return found;
  }, root);
}
