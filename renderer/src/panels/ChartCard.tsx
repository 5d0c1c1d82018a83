// One plot of the dataset view, drawn by Chart.js on a canvas (no eval, no
// injected stylesheet: it runs under the renderer's CSP), with its PNG and
// CSV exports. Clicking a bar (or a doughnut slice) hands its index up. The
// canvas carries the bars' centres in data-bars once drawn, so tests and
// benchmarks can click a bar where the user would.
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  DoughnutController,
  Legend,
  LinearScale,
  type Plugin,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';

import { type DatasetChart, toCsv } from './datasetCharts.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Tooltip, Legend);

const TEXT = '#d9dde3';
const GRID = 'rgba(139, 146, 156, 0.2)';
const BACKGROUND = '#1c1f24';

/** Paints the background, so an exported PNG is readable outside the app (a canvas is transparent). */
const backgroundPlugin: Plugin = {
  id: 'promptlabelBackground',
  beforeDraw: (chart) => {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** Writes where each bar's (or slice's) centre is drawn (CSS pixels in the canvas) and marks the canvas drawn. */
const barPositionsPlugin: Plugin = {
  id: 'promptlabelBarPositions',
  afterRender: (chart) => {
    const centres = chart.getDatasetMeta(0).data.map((element) => {
      const { x, y } =
        element instanceof BarElement || element instanceof ArcElement ? element.getCenterPoint(false) : element.tooltipPosition(false);
      return [Math.round(x ?? 0), Math.round(y ?? 0)];
    });
    chart.canvas.dataset.bars = JSON.stringify(centres);
    chart.canvas.dataset.ready = '1';
  },
};

function saveFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function configOf(chart: DatasetChart, onBar: (index: number) => void): ChartConfiguration {
  const doughnut = chart.type === 'doughnut';
  return {
    type: chart.type,
    data: {
      labels: chart.bars.map((bar) => bar.text),
      datasets: [
        {
          label: chart.unit,
          data: chart.bars.map((bar) => bar.value),
          backgroundColor: chart.bars.map((bar) => bar.colour),
          borderColor: doughnut ? BACKGROUND : chart.bars.map((bar) => bar.colour),
          borderWidth: doughnut ? 2 : 0,
        },
      ],
    },
    options: {
      // Figures, not a show: no animation, so the first paint is the whole plot.
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      onClick: (_event, elements) => {
        const first = elements[0];
        if (first) onBar(first.index);
      },
      onHover: (event, elements) => {
        const target = event.native?.target;
        if (target instanceof HTMLElement) target.style.cursor = elements.length > 0 ? 'pointer' : 'default';
      },
      plugins: {
        legend: { display: doughnut, position: 'right', labels: { color: TEXT } },
        tooltip: { enabled: true },
      },
      scales: doughnut
        ? {}
        : {
            x: { ticks: { color: TEXT, autoSkip: true, maxRotation: 60 }, grid: { display: false } },
            y: { beginAtZero: true, ticks: { color: TEXT, precision: 0 }, grid: { color: GRID } },
          },
    },
    plugins: [backgroundPlugin, barPositionsPlugin],
  };
}

export function ChartCard({ chart, onBar }: { chart: DatasetChart; onBar: (index: number) => void }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart | null>(null);
  // The latest handler, so a new one does not rebuild the plot.
  const onBarRef = useRef(onBar);
  useEffect(() => {
    onBarRef.current = onBar;
  }, [onBar]);

  // New figures (after an edit, or current ones replacing those shown while counting) redraw the plot in place:
  // a new Chart would set up its canvas and measure the page again.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const config = configOf(chart, (index) => onBarRef.current(index));
    const drawn = chartRef.current;
    if (drawn && (drawn.config as { type?: string }).type === config.type) {
      delete canvas.dataset.ready; // set again once drawn
      drawn.data = config.data;
      drawn.update('none');
      return;
    }
    drawn?.destroy();
    chartRef.current = new Chart(canvas, config);
  }, [chart]);
  useEffect(
    () => () => {
      chartRef.current?.destroy();
      chartRef.current = null;
    },
    [],
  );

  const exportPng = () => {
    chartRef.current?.canvas.toBlob((blob) => {
      if (blob) saveFile(`${chart.id}.png`, blob);
    }, 'image/png');
  };
  const exportCsv = () => saveFile(`${chart.id}.csv`, new Blob([toCsv(chart.table)], { type: 'text/csv;charset=utf-8' }));
  const empty = chart.bars.every((bar) => bar.value === 0);

  return (
    <figure className="chart-card" data-testid={`dataset-chart-${chart.id}`}>
      <figcaption>
        <span className="chart-title">{chart.title}</span>
        <span className="chart-exports">
          <button type="button" data-testid="chart-png" onClick={exportPng} title="Save this plot as a PNG image">
            PNG
          </button>
          <button type="button" data-testid="chart-csv" onClick={exportCsv} title="Save this plot's figures as CSV">
            CSV
          </button>
        </span>
      </figcaption>
      <div className="chart-canvas">
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={`${chart.title}: ${chart.bars.map((bar) => `${bar.text} ${bar.value}`).join(', ')}`}
        />
        {empty && <div className="chart-empty muted">Nothing to plot yet.</div>}
      </div>
    </figure>
  );
}
