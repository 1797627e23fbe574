import { jsonLanguage } from "@codemirror/lang-json";
import type { Diagnostic } from "@codemirror/lint";

type Tree = ReturnType<typeof jsonLanguage.parser.parse>;
type SyntaxNode = Tree["topNode"];

const PUNCTUATION = new Set(["{", "}", "[", "]", ",", ":"]);

/**
 * The segments of a Marathon or Chronos error path: `/healthChecks(0)/path` (Marathon's indices),
 * `/portDefinitions[1]/port` and `/parents/0` all name a key or an index in turn; `/` is the body.
 */
export function pathSegments(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split("/")) {
    const m = /^(.*?)((?:\(\d+\)|\[\d+\])*)$/.exec(part);
    const [, name = "", indices = ""] = m ?? [];
    if (name) out.push(name);
    for (const index of indices.matchAll(/\d+/g)) out.push(index[0]);
  }
  return out;
}

function values(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling)
    if (!PUNCTUATION.has(c.name) && !c.type.isError) out.push(c);
  return out;
}

/**
 * Where the field at `path` is written: the range of its key (an array element: the element), as
 * deep as the text has it, and whether the whole path was found (a missing field is marked at its
 * nearest parent, or at the body's opening brace).
 */
export function locatePath(
  text: string,
  tree: Tree,
  path: string,
): { from: number; to: number; found: boolean } {
  let node: SyntaxNode | null = tree.topNode.firstChild;
  let at = { from: node?.from ?? 0, to: Math.min(text.length, (node?.from ?? 0) + 1) };
  for (const segment of pathSegments(path)) {
    if (!node) return { ...at, found: false };
    let next: SyntaxNode | undefined;
    if (node.name === "Object") {
      for (const property of values(node)) {
        const name = property.getChild("PropertyName");
        if (!name) continue;
        let key: unknown;
        try {
          key = JSON.parse(text.slice(name.from, name.to));
        } catch {
          continue;
        }
        if (key === segment) {
          at = { from: name.from, to: name.to };
          next = values(property).filter((c) => c.name !== "PropertyName")[0];
          // A key without a value ("a": ) still marks the key.
          if (!next) return { ...at, found: true };
          break;
        }
      }
    } else if (node.name === "Array" && /^\d+$/.test(segment)) {
      next = values(node)[Number(segment)];
      if (next) at = { from: next.from, to: next.to };
    }
    if (!next) return { ...at, found: false };
    node = next;
  }
  return { ...at, found: true };
}

/**
 * Lint diagnostics for the editor: a syntax error where the parser stopped, and each of the
 * server's field errors (`{path: messages}`) on the key it names.
 */
export function jsonDiagnostics(text: string, errors: ReadonlyMap<string, readonly string[]>): Diagnostic[] {
  const tree = jsonLanguage.parser.parse(text);
  const out: Diagnostic[] = [];
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      out.push({
        from: 0,
        to: Math.min(1, text.length),
        severity: "error",
        source: "JSON",
        message: "The definition must be a JSON object",
      });
  } catch (e) {
    let from = text.length;
    let to = text.length;
    tree.iterate({
      enter: (n) => {
        if (!n.type.isError || from < text.length) return;
        from = n.from;
        to = n.to;
      },
    });
    out.push({
      from,
      to,
      severity: "error",
      source: "JSON",
      message: e instanceof Error ? e.message : String(e),
    });
  }
  for (const [path, messages] of errors) {
    const { from, to, found } = locatePath(text, tree, path);
    out.push({
      from,
      to,
      severity: "error",
      source: path,
      message: `${found ? "" : `${path}: `}${messages.join("; ")}`,
    });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** The 1-based line of an offset, for the error list under the editor. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
