// chart.js on a canvas, with the numbers also in a visually hidden table for screen readers.
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
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { useEffect, useRef } from "react";

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  DoughnutController,
  ArcElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);
Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue("--font") || "system-ui, sans-serif";
Chart.defaults.color = "#525c6b";
Chart.defaults.animation = false;

export interface Series {
  readonly label: string;
  readonly values: readonly number[];
  readonly color: string | readonly string[];
}

export function ChartView({
  type,
  title,
  labels,
  series,
  unit,
}: {
  type: "bar" | "line" | "doughnut";
  title: string;
  labels: readonly string[];
  series: readonly Series[];
  unit?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration = {
      type,
      data: {
        labels: [...labels],
        datasets: series.map((s) => ({
          label: s.label,
          data: [...s.values],
          backgroundColor: s.color as string,
          borderColor: type === "line" ? (s.color as string) : type === "doughnut" ? "#fff" : (s.color as string),
          borderRadius: type === "bar" ? 4 : 0,
          maxBarThickness: 48,
          tension: 0.3,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: series.length > 1 || type === "doughnut", position: "bottom" } },
        ...(type === "doughnut"
          ? {}
          : {
              scales: {
                y: { beginAtZero: true, ticks: { precision: 0 } },
                x: {
                  grid: { display: false },
                  ticks: {
                    autoSkip: false,
                    maxRotation: 40,
                    // Long step titles are cut on the axis; the tooltip and the table below keep them whole.
                    callback(value) {
                      const text = String(this.getLabelForValue(Number(value)));
                      return text.length > 22 ? `${text.slice(0, 21)}…` : text;
                    },
                  },
                },
              },
            }),
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [type, labels, series]);
  return (
    <figure className="card" style={{ margin: 0 }}>
      <figcaption>
        <h3>{title}</h3>
      </figcaption>
      <div className="chart-box">
        <canvas ref={canvas} role="img" aria-label={`${title}: chart; the numbers follow in a table`} />
      </div>
      {/* The hidden box clips the table: a table ignores width: 1px and would widen a phone's page. */}
      <div className="visually-hidden">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              {series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.label}>
                    {s.values[i]}
                    {unit ? ` ${unit}` : ""}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
