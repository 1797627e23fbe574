import { formatResource } from "./format";

/** A used/total meter with its numbers as text (the bar alone is not the information). */
export function Bar({ name, used, total }: { name: string; used: number; total: number }) {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return (
    <div className="bar-cell">
      <div className="bar" aria-hidden="true">
        <div className={`bar-fill${pct > 90 ? " bar-high" : ""}`} style={{ width: `${pct}%` }} />
      </div>
      <span className="bar-text">
        {formatResource(name, used)} / {formatResource(name, total)}
      </span>
    </div>
  );
}
