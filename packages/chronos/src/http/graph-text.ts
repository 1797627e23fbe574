import type { JobView } from "../service.js";

/**
 * `/graph/csv`, as Chronos' `Exporter` writes it: a `node,<name>,<lastStatus>,<state>` line per job,
 * then a `link,<parent>,<child>` line per dependency edge between jobs listed (a parent `view_jobs`
 * hides from the reader is not named, as `/graph/dot` has no vertex for it).
 */
export function graphCsv(views: readonly JobView[]): string {
  let out = "";
  const names = new Set<string>();
  for (const v of views) {
    names.add(v.definition.name);
    out += `node,${v.definition.name},${v.lastStatus},${v.state}\n`;
  }
  for (const v of views)
    for (const p of v.definition.parents ?? []) if (names.has(p)) out += `link,${p},${v.definition.name}\n`;
  return out;
}

/**
 * `/graph/dot`, as Chronos' jgrapht `DOTExporter` writes it: vertices numbered from 1 and labelled
 * with the job's name, one `parent -> child` edge per dependency.
 */
export function graphDot(views: readonly JobView[]): string {
  const ids = new Map<string, number>();
  const lines = ["digraph G {"];
  for (const v of views) {
    ids.set(v.definition.name, ids.size + 1);
    lines.push(`  ${ids.size} [ label="${v.definition.name.replaceAll('"', '\\"')}" ];`);
  }
  for (const v of views)
    for (const p of v.definition.parents ?? []) {
      const from = ids.get(p);
      if (from !== undefined) lines.push(`  ${from} -> ${ids.get(v.definition.name)};`);
    }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
