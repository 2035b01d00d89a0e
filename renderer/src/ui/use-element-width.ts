import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

/**
 * The rendered width of an element, kept current as it resizes. Charts draw in real pixels at this
 * width instead of scaling a fixed viewBox, so their text stays at its CSS size in a narrow side
 * panel and in a full-width page alike.
 */
export function useElementWidth<T extends HTMLElement>(fallback: number): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (element === null) return;
    const measure = (): void => {
      const measured = Math.floor(element.clientWidth);
      if (measured > 0) setWidth(measured);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
