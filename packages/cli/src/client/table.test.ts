import { describe, expect, it } from "vitest";
import { type Column, colorsFor, renderFields, renderTable } from "./table.js";

const plain = colorsFor({ isTTY: false });
const colored = colorsFor({ isTTY: true }, {});
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what it strips
const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("renderTable", () => {
  type Row = { id: string; cpus: string; name: string };
  const columns: Column<Row>[] = [
    { header: "ID", value: (r) => r.id },
    { header: "CPUS", value: (r) => r.cpus, right: true },
    { header: "NAME", value: (r) => r.name },
  ];

  it("aligns columns two spaces apart, numbers to the right, no trailing blanks", () => {
    const out = renderTable(
      columns,
      [
        { id: "a-1", cpus: "0.5", name: "web" },
        { id: "bbbbbb-22", cpus: "12", name: "x" },
      ],
      plain,
    );
    expect(out).toBe(["ID         CPUS  NAME", "a-1         0.5  web", "bbbbbb-22    12  x", ""].join("\n"));
  });

  it("measures cells as a terminal shows them: color codes count for nothing, wide characters for two", () => {
    const rows = [
      { id: colored.green("ok"), cpus: "1", name: "世界" },
      { id: "long-id", cpus: "1", name: "ab" },
    ];
    const lines = strip(renderTable(columns, rows, colored)).split("\n");
    expect(lines[1]).toBe("ok          1  世界");
    expect(lines[2]).toBe("long-id     1  ab");
  });

  it("prints only the header for no rows", () => {
    expect(renderTable(columns, [], plain)).toBe("ID  CPUS  NAME\n");
  });
});

describe("renderFields", () => {
  it("aligns keys and leaves out undefined values", () => {
    expect(
      renderFields(
        [
          ["id", "a-1"],
          ["hostname", "node-a"],
          ["gone", undefined],
        ],
        plain,
      ),
    ).toBe("id:       a-1\nhostname: node-a\n");
  });
});
