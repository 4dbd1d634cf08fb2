/** Small, dependency-free SVG charts with a screen-reader table beside them. */
type Series = { label: string; color: string; values: number[] };

export function BarChart({ title, days, series }: { title: string; days: string[]; series: Series[] }) {
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const width = 300;
  const height = 80;
  const bar = width / Math.max(days.length, 1);
  return (
    <figure>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-24 w-full"
        role="img"
        aria-label={`${title}: ${totals.reduce((a, b) => a + b, 0)} in ${days.length} days`}
      >
        {days.map((dayLabel, i) => {
          let y = height;
          return (
            <g key={dayLabel}>
              {series.map((s) => {
                const value = s.values[i] ?? 0;
                const h = (value / max) * (height - 4);
                y -= h;
                return value > 0 ? (
                  <rect key={s.label} x={i * bar + 1} y={y} width={Math.max(bar - 2, 1)} height={h} fill={s.color} />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption className="mt-2 flex flex-wrap gap-3 text-xs text-slate-600">
        {series.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-1">
            <span aria-hidden="true" className="inline-block h-2 w-2 rounded-sm" style={{ background: s.color }} />
            {s.label}: {s.values.reduce((a, b) => a + b, 0)}
          </span>
        ))}
        <span>
          {days[0]} – {days[days.length - 1]}
        </span>
      </figcaption>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {series.map((s) => (
              <th key={s.label} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((dayLabel, i) => (
            <tr key={dayLabel}>
              <th scope="row">{dayLabel}</th>
              {series.map((s) => (
                <td key={s.label}>{s.values[i] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
