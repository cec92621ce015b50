/**
 * The dashboard's charts, drawn with uPlot (small and fast: it keeps the dashboard's main thread
 * free). This module is its own lazily loaded chunk. Each chart is a canvas with a text summary as
 * its accessible name, and a legend of its own.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Dashboard } from './api';

interface SeriesSpec {
  label: string;
  color: string; // a CSS variable name, resolved at draw time so themes apply
  values: (number | null)[];
  kind: 'line' | 'bar-left' | 'bar-right';
}

const formatMs = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(v % 1000 ? 1 : 0)} s` : `${Math.round(v)} ms`);

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

function Chart({ x, series, xLabels, timeAxis, summary, yUnit = '' }: { x: number[]; series: SeriesSpec[]; xLabels?: string[]; timeAxis?: boolean; summary: string; yUnit?: string }) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | null = null;
    const draw = () => {
      plot?.destroy();
      const muted = css('--muted');
      const grid = { stroke: css('--border'), width: 1 };
      const axis = { stroke: muted, grid, ticks: { show: false }, font: '12px system-ui, sans-serif' };
      const bars = (align: -1 | 1) => uPlot.paths.bars!({ size: [0.35, 48], align, gap: 1 });
      plot = new uPlot(
        {
          width: Math.max(200, el.clientWidth),
          height: 220,
          legend: { show: false },
          cursor: { drag: { x: false, y: false }, points: { show: false } },
          scales: { x: timeAxis ? { time: true } : { time: false, range: [-0.6, x.length - 0.4] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
          axes: [
            timeAxis
              ? axis
              : {
                  ...axis,
                  splits: () => x,
                  values: (_u, splits) => splits.map((v) => xLabels?.[v] ?? ''),
                  // Narrow screens: slanted category names instead of overlapping ones.
                  ...(el.clientWidth / Math.max(1, x.length) < 80 ? { rotate: -40, size: 96 } : {}),
                },
            { ...axis, size: 56, values: (_u, splits) => splits.map(yUnit === ' ms' ? formatMs : (v) => String(Math.round(v))) },
          ],
          series: [
            {},
            ...series.map((s) => ({
              label: s.label,
              stroke: css(s.color),
              width: s.kind === 'line' ? 2 : 0,
              fill: s.kind === 'line' ? undefined : css(s.color),
              paths: s.kind === 'line' ? undefined : bars(s.kind === 'bar-left' ? -1 : 1),
              points: { show: false },
            })),
          ],
        },
        [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
        el,
      );
    };
    try {
      draw();
    } catch {
      return; // no canvas (very old browser, test DOM): the text summary remains
    }
    const resize = new ResizeObserver(() => plot?.setSize({ width: Math.max(200, el.clientWidth), height: 220 }));
    resize.observe(el);
    const theme = new MutationObserver(draw); // redraw with the new theme's colours
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      resize.disconnect();
      theme.disconnect();
      plot?.destroy();
    };
  }, [x, series, xLabels, timeAxis, yUnit]);

  return (
    <figure className="chart">
      <div ref={box} role="img" aria-label={summary} className="chart-canvas" />
      <figcaption className="chart-legend">
        {series.map((s) => (
          <span key={s.label}>
            <span className="legend-dot" style={{ background: `var(${s.color})` }} aria-hidden="true" /> {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

// Props are memoised per response: a new array would redraw the canvas on every render.
export function RequestsChart({ data }: { data: Dashboard }) {
  const props = useMemo(() => {
    const total = data.series.reduce((n, p) => n + p.requests, 0);
    const busiest = data.series.reduce((a, p) => (p.requests > a.requests ? p : a), data.series[0] ?? { requests: 0, start: '' });
    return {
      x: data.series.map((p) => Date.parse(p.start) / 1000),
      summary: `Requests per ${data.bucket}: ${total} in total${busiest?.requests ? `, busiest ${new Date(busiest.start).toLocaleString()} with ${busiest.requests}` : ''}.`,
      series: [
        { label: 'Requests', color: '--accent', values: data.series.map((p) => p.requests), kind: 'line' },
        { label: 'Errors', color: '--danger', values: data.series.map((p) => p.errors), kind: 'line' },
      ] satisfies SeriesSpec[],
    };
  }, [data]);
  return <Chart timeAxis {...props} />;
}

export function FeatureChart({ data }: { data: Dashboard }) {
  const props = useMemo(() => {
    const f = data.features;
    return {
      x: f.map((_, i) => i),
      xLabels: f.map((r) => r.feature),
      summary: `Requests by feature: ${f.map((r) => `${r.feature} ${r.requests} (${r.errors} errors)`).join(', ') || 'none'}.`,
      series: [
        { label: 'Requests', color: '--accent', values: f.map((r) => r.requests), kind: 'bar-left' },
        { label: 'Errors', color: '--danger', values: f.map((r) => r.errors), kind: 'bar-right' },
      ] satisfies SeriesSpec[],
    };
  }, [data]);
  return <Chart {...props} />;
}

export function LatencyChart({ data }: { data: Dashboard }) {
  const props = useMemo(() => {
    const f = data.features;
    return {
      x: f.map((_, i) => i),
      xLabels: f.map((r) => r.feature),
      summary: `Latency by feature: ${f.map((r) => `${r.feature} p50 ${r.p50_latency_ms ?? '–'} ms, p95 ${r.p95_latency_ms ?? '–'} ms`).join('; ') || 'none'}.`,
      series: [
        { label: 'p50', color: '--accent-2', values: f.map((r) => r.p50_latency_ms), kind: 'bar-left' },
        { label: 'p95', color: '--accent', values: f.map((r) => r.p95_latency_ms), kind: 'bar-right' },
      ] satisfies SeriesSpec[],
    };
  }, [data]);
  return <Chart yUnit=" ms" {...props} />;
}
