import type * as ChartJs from 'chart.js';
import type { Chart as ChartType } from 'chart.js';

type ChartModule = typeof ChartJs;

let loading: Promise<ChartModule> | null = null;

/**
 * Chart.js, its annotation plugin and the date adapter, loaded on the first page that draws a
 * chart: the fleet table opens without them.
 */
export function loadChartJs(): Promise<ChartModule> {
  loading ??= Promise.all([
    import('chart.js'),
    import('chartjs-plugin-annotation'),
    import('chartjs-adapter-date-fns'),
  ]).then(([chart, annotation]) => {
    chart.Chart.register(...chart.registerables, annotation.default);
    return chart;
  });
  return loading;
}

export type { ChartType };
