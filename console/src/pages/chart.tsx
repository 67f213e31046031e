/** A Chart.js chart in a Preact component: created once, its data replaced on every refresh. */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface Series {
  label: string;
  data: number[];
  color: string;
}

/** A bar chart; `stacked` adds the series up; `horizontal` for long labels. Its figures are also a table for screen readers. */
export function BarChart({
  id,
  title,
  labels,
  series,
  stacked,
  horizontal,
}: {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  stacked?: boolean;
  horizontal?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    const config: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color })) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: horizontal ? 'y' : 'x',
        scales: { x: { stacked: !!stacked, ticks: { precision: 0 } }, y: { stacked: !!stacked, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    };
    if (!chart.current) chart.current = new Chart(canvas.current!, config);
    else {
      chart.current.data = config.data;
      chart.current.update();
    }
  }, [JSON.stringify([labels, series])]);
  useEffect(() => () => chart.current?.destroy(), []);
  const total = series.reduce((n, s) => n + s.data.reduce((a, b) => a + b, 0), 0);
  return (
    <figure class="card" style="margin:0" aria-labelledby={`${id}-h`} data-chart={id} data-total={total}>
      <h2 id={`${id}-h`} style="margin-top:0">
        {title}
      </h2>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={title} />
      </div>
      <details>
        <summary>{title}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col" />
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((l, i) => (
              <tr key={l}>
                <th scope="row">{l}</th>
                {series.map((s) => (
                  <td key={s.label}>{s.data[i]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
