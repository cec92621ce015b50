import type { ReactNode } from 'react';

/**
 * `text` with the [start, end) `ranges` wrapped in <mark>, as React elements (never HTML). The server
 * counts characters as code points, so the text is split the same way (an emoji is one, not two).
 * Overlapping or out-of-range ranges are merged and clipped.
 */
export function highlight(text: string, ranges: ReadonlyArray<readonly number[]>): ReactNode[] {
  const chars = Array.from(text);
  const spans = ranges
    .map(([a, b]) => [Math.max(0, Math.min(a, chars.length)), Math.max(0, Math.min(b, chars.length))] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const prev = merged.at(-1);
    if (prev && a <= prev[1]) prev[1] = Math.max(prev[1], b);
    else merged.push([a, b]);
  }
  const out: ReactNode[] = [];
  let at = 0;
  merged.forEach(([a, b], i) => {
    if (a > at) out.push(chars.slice(at, a).join(''));
    out.push(<mark key={i}>{chars.slice(a, b).join('')}</mark>);
    at = b;
  });
  if (at < chars.length) out.push(chars.slice(at).join(''));
  return out;
}

export function Highlighted({ text, ranges }: { text: string; ranges: ReadonlyArray<readonly number[]> }) {
  return <>{highlight(text, ranges)}</>;
}
