import { useMemo } from "react";
import { Link } from "react-router";
import { Loading } from "../../components/States";
import { routes } from "../../routes";
import { H, W } from "./graph-size";
import { useGraphLayout } from "./useGraphLayout";

/** The jobs' dependency DAG as an SVG: parent above child, one arrow per dependency. */
export function JobGraph({ nodes, edges }: { nodes: string[]; edges: Array<[string, string]> }) {
  // Only jobs in a dependency are drawn: a job on its own has no place in a DAG, and dagre's time
  // grows fast with every node.
  const linked = useMemo(() => {
    const inEdges = new Set(edges.flat());
    return nodes.filter((n) => inEdges.has(n));
  }, [nodes, edges]);
  const layout = useGraphLayout(linked, edges);
  if (!layout) return <Loading what="the graph's layout" />;
  return (
    <svg className="job-graph" width={layout.width} height={layout.height} data-testid="job-graph">
      <title>{`Job dependencies: ${edges.map(([a, b]) => `${a} before ${b}`).join(", ") || "none"}`}</title>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" className="graph-arrow" />
        </marker>
      </defs>
      {layout.edges.map((e) => (
        <polyline
          key={`${e.from}->${e.to}`}
          data-edge={`${e.from}->${e.to}`}
          className="graph-edge"
          points={e.points.map((p) => `${p.x},${p.y}`).join(" ")}
          markerEnd="url(#arrow)"
        />
      ))}
      {layout.nodes.map((n) => (
        <Link key={n.name} to={routes.job(n.name)}>
          <rect className="graph-node" x={n.x} y={n.y} width={W} height={H} rx={6} />
          <text className="graph-label" x={n.x + W / 2} y={n.y + H / 2 + 4} textAnchor="middle">
            {n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name}
          </text>
        </Link>
      ))}
    </svg>
  );
}
