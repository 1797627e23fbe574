import { jsonLanguage } from "@codemirror/lang-json";
import { describe, expect, it } from "vitest";
import { jsonDiagnostics, lineAt, locatePath, pathSegments } from "./json-diagnostics";

const text = `{
  "id": "/a",
  "container": { "docker": { "image": "x" }, "volumes": [] },
  "healthChecks": [{ "path": "/" }, { "path": "/b", "portIndex": 2 }],
  "parents": ["p", "q"],
  "image": 1
}`;
const at = (path: string) => {
  const r = locatePath(text, jsonLanguage.parser.parse(text), path);
  return [text.slice(r.from, r.to), r.found];
};

describe("locatePath", () => {
  it("reads Marathon's and Chronos' path forms", () => {
    expect(pathSegments("/healthChecks(1)/path")).toEqual(["healthChecks", "1", "path"]);
    expect(pathSegments("/portDefinitions[0]/port")).toEqual(["portDefinitions", "0", "port"]);
    expect(pathSegments("/parents/0")).toEqual(["parents", "0"]);
    expect(pathSegments("/")).toEqual([]);
  });

  it("finds the key of a nested field, not a same-named key elsewhere", () => {
    expect(at("/container/docker/image")).toEqual(['"image"', true]);
    expect(text.indexOf('"image"', 0)).toBeLessThan(text.lastIndexOf('"image"'));
    expect(locatePath(text, jsonLanguage.parser.parse(text), "/image").from).toBe(
      text.lastIndexOf('"image"'),
    );
    expect(at("/healthChecks(1)/portIndex")).toEqual(['"portIndex"', true]);
    expect(at("/parents/1")).toEqual(['"q"', true]);
  });

  it("marks a missing field at its nearest parent, the body's brace at worst", () => {
    expect(at("/container/docker/network")).toEqual(['"docker"', false]);
    expect(at("/cmd")).toEqual(["{", false]);
    expect(at("/")).toEqual(["{", true]);
  });
});

describe("jsonDiagnostics", () => {
  it("gives a syntax error where the parser stopped, and each field error on its key, in text order", () => {
    const bad = '{\n  "mem": -1,\n  oops\n}';
    const d = jsonDiagnostics(bad, new Map([["/mem", ["must be at least 0"]]]));
    expect(d.map((x) => [bad.slice(x.from, x.to), x.source, lineAt(bad, x.from)])).toEqual([
      ['"mem"', "/mem", 2],
      ["oops", "JSON", 3],
    ]);
  });

  it("refuses valid JSON that is not an object", () => {
    expect(jsonDiagnostics("[1]", new Map()).map((d) => d.message)).toEqual([
      "The definition must be a JSON object",
    ]);
    expect(jsonDiagnostics(text, new Map())).toEqual([]);
  });
});
