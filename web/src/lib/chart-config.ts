import type { FleetVersions, TrendPoint } from '@devfleet/wire';
import type { ChartConfiguration, Tick, TooltipItem } from 'chart.js';

import { durationTicks } from './duration-axis.js';
import { formatDuration } from './format.js';

export interface ChartLine {
  label: string;
  points: TrendPoint[] | { x: number; y: number }[];
  /** Drawn as dots without a line (evidence samples). */
  dots?: boolean;
  /** Hollow dots beneath the others: context, such as a control group. */
  muted?: boolean;
  color?: string;
  /** The machine a line belongs to, when a chart has one line per machine. */
  machineId?: string;
}

/** The colour of a chart's `index`th line, unless it has its own. */
export function lineColor(line: ChartLine, index: number): string {
  return line.color ?? palette[index % palette.length] ?? '#2f6fdf';
}

// Distinguishable in light and dark themes, and for the common colour-vision deficiencies first.
export const palette = [
  '#2f6fdf',
  '#d9731a',
  '#2a9d6f',
  '#b5489b',
  '#6b7a1f',
  '#8a5cd6',
  '#c0392b',
];

export interface ChartOptions {
  lines: ChartLine[];
  /** Where the change markers' lines go; their labels are HTML beside the canvas. */
  markers: { x: number; color?: string }[];
  from: number;
  to: number;
  /** The chart's width in pixels: decimation keeps about this many points per line. */
  width: number;
  text: string;
  grid: string;
  markerColor: string;
  /** Told the y axis's labels whenever they change (tests and screen readers read them). */
  onticks?: (labels: string[]) => void;
  /** Told where the plot and each marker's line are, in canvas pixels, after every layout. */
  onlayout?: (layout: PlotLayout) => void;
}

export interface PlotLayout {
  left: number;
  right: number;
  top: number;
  /** The pixel of each marker's line, in the order of `markers`. */
  markerX: number[];
}

/**
 * A time chart of durations with vertical change markers. Points arrive as `{x, y}` numbers
 * sorted by x, so Chart.js neither parses nor sorts them (`parsing: false`, `normalized`), and
 * decimation thins any line longer than the chart is wide.
 */
export function trendChartConfig(options: ChartOptions): ChartConfiguration<'line'> {
  const { lines, markers, text, grid, markerColor } = options;
  // The y axis's step, for its labels: set when the ticks are built, just before they are named.
  let yStep: number | undefined;

  return {
    type: 'line',
    data: {
      datasets: lines.map((line, i) => {
        const color = lineColor(line, i);
        return {
          label: line.label,
          data: line.points,
          borderColor: color,
          backgroundColor: line.muted ? 'transparent' : color,
          pointBorderWidth: line.muted ? 1 : 0,
          order: line.muted ? 1 : 0,
          borderWidth: line.dots ? 0 : 1.5,
          showLine: !line.dots,
          pointRadius: line.dots ? 2.5 : line.points.length > 120 ? 0 : 2,
          pointHoverRadius: 4,
          spanGaps: true,
        };
      }),
    },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'time',
          // Samples come a few a day: hour ticks ("9AM 1PM") would hide which day is which.
          time: { minUnit: 'day' },
          min: options.from,
          max: options.to,
          ticks: { color: text, maxRotation: 0, autoSkipPadding: 16 },
          grid: { color: grid },
        },
        y: {
          beginAtZero: true,
          afterBuildTicks: (axis) => {
            // About one tick per 24 px: 7 on the usual 220 px chart.
            const ticks = durationTicks(axis.min, axis.max, Math.min(8, axis.height / 24));
            axis.min = ticks.min;
            axis.max = ticks.max;
            axis.ticks = ticks.values.map((value) => ({ value }));
            yStep = ticks.step;
          },
          afterTickToLabelConversion: (axis) => options.onticks?.(axis.ticks.map(tickLabel)),
          ticks: { color: text, callback: (value) => formatDuration(Number(value), yStep) },
          grid: { color: grid },
        },
      },
      plugins: {
        legend: {
          display: lines.length > 1,
          position: 'bottom',
          // Dots get dots in the legend, hollow ones hollow; lines get a short line.
          labels: lines.every((l) => l.dots)
            ? { color: text, usePointStyle: true, pointStyleWidth: 10, boxHeight: 6 }
            : { color: text, boxWidth: 12, boxHeight: 2 },
        },
        decimation: { enabled: true, algorithm: 'lttb', samples: Math.max(50, options.width) },
        tooltip: { callbacks: { label: tooltipLabel } },
        annotation: {
          annotations: Object.fromEntries(
            markers.map((marker, i) => [
              `change${i}`,
              {
                type: 'line' as const,
                xMin: marker.x,
                xMax: marker.x,
                borderColor: marker.color ?? markerColor,
                borderWidth: 1,
                borderDash: [4, 3],
              },
            ]),
          ),
        },
      },
    },
    plugins: [
      {
        id: 'devfleetLayout',
        afterLayout: (chart) => {
          const { left, right, top } = chart.chartArea;
          const x = chart.scales.x;
          const markerX = markers.map((m) => (x ? x.getPixelForValue(m.x) : left));
          options.onlayout?.({ left, right, top, markerX });
        },
      },
    ],
  };
}

function tickLabel(tick: Tick): string {
  return Array.isArray(tick.label) ? tick.label.join(' ') : String(tick.label ?? '');
}

function tooltipLabel(item: TooltipItem<'line'>): string {
  const point = item.raw as Partial<TrendPoint> & { y: number };
  const label = `${item.dataset.label ?? ''}: ${formatDuration(point.y)}`;
  if (point.n === undefined || point.n <= 1) return label;
  return `${label} (median of ${point.n}, ${formatDuration(point.min ?? point.y)}–${formatDuration(point.max ?? point.y)})`;
}

/** Machines per version per day, stacked: how a rollout spread through the fleet. */
export function rolloutChartConfig(
  rollout: FleetVersions['rollout'],
  colors: { text: string; grid: string },
): ChartConfiguration<'bar', { x: number; y: number }[]> {
  const days = rollout.days.map((day) => Date.parse(`${day}T12:00:00Z`));
  return {
    type: 'bar',
    data: {
      datasets: rollout.versions.map((v, i) => ({
        label: v.version,
        data: v.machines.map((y, d) => ({ x: days[d] ?? 0, y })),
        backgroundColor: palette[i % palette.length],
        barPercentage: 1,
        categoryPercentage: 0.9,
      })),
    },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: {
          type: 'time',
          stacked: true,
          time: { unit: 'week' },
          ticks: { color: colors.text, maxRotation: 0 },
          grid: { display: false },
        },
        y: {
          stacked: true,
          beginAtZero: true,
          ticks: { color: colors.text, precision: 0 },
          grid: { color: colors.grid },
          title: { display: true, text: 'machines', color: colors.text },
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { color: colors.text, boxWidth: 12 } },
      },
    },
  };
}
