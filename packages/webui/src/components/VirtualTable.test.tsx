import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { LineRing } from "./LogTail";
import { type Column, parseSort, sortRows, VirtualTable } from "./VirtualTable";

type Row = { id: string; n: number };
const columns: Column<Row>[] = [
  { id: "id", header: "Id", width: "1fr", cell: (r) => r.id, sortValue: (r) => r.id },
  { id: "n", header: "N", width: "1fr", cell: (r) => r.n, sortValue: (r) => r.n },
];

describe("VirtualTable", () => {
  it("puts only the rows in view into the DOM, with ARIA row indexes, out of 10,000", () => {
    // happy-dom lays nothing out: give the scroller a viewport of 600 px.
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800);
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `task-${i}`, n: i }));
    render(<VirtualTable label="Tasks" rows={rows} columns={columns} rowKey={(r) => r.id} rowTestId="row" />);
    const rendered = screen.queryAllByTestId("row");
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(100);
    expect(rendered[0]!.getAttribute("aria-rowindex")).toBe("2");
    expect(screen.getByRole("table", { name: "Tasks" }).getAttribute("aria-rowcount")).toBe("10001");
    vi.restoreAllMocks();
  });

  it("reads only the keys of rows near the view while scrolling, not all 10,000 again each frame", () => {
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800);
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `task-${i}`, n: i }));
    const rowKey = vi.fn((r: Row) => r.id);
    const { container } = render(
      <VirtualTable label="Tasks" rows={rows} columns={columns} rowKey={rowKey} rowTestId="row" />,
    );
    const scroller = container.querySelector(".vtable-body")!;
    rowKey.mockClear();
    for (let frame = 1; frame <= 10; frame++) {
      act(() => {
        scroller.scrollTop = frame * 120;
        fireEvent.scroll(scroller);
      });
    }
    expect(screen.getAllByTestId("row")[0]!.getAttribute("aria-rowindex")).not.toBe("2");
    expect(rowKey.mock.calls.length).toBeLessThan(2_000);
    vi.restoreAllMocks();
  });

  it("reports a click on a sortable header as the next sort", () => {
    const onSort = vi.fn();
    render(
      <VirtualTable
        label="T"
        rows={[]}
        columns={columns}
        rowKey={(r) => r.id}
        sort={{ id: "n", desc: false }}
        onSort={onSort}
      />,
    );
    const header = screen.getByRole("columnheader", { name: /N/ });
    expect(header.getAttribute("aria-sort")).toBe("ascending");
    fireEvent.click(within(header).getByRole("button"));
    expect(onSort).toHaveBeenCalledWith({ id: "n", desc: true });
  });

  it("sorts by the URL's sort value", () => {
    const rows = [
      { id: "b", n: 1 },
      { id: "a", n: 2 },
    ];
    expect(sortRows(rows, columns, parseSort("-n", { id: "id", desc: false })).map((r) => r.id)).toEqual([
      "a",
      "b",
    ]);
    expect(sortRows(rows, columns, parseSort(null, { id: "id", desc: false })).map((r) => r.id)).toEqual([
      "a",
      "b",
    ]);
  });
});

describe("LineRing", () => {
  it("joins chunks cut mid-line and keeps the newest lines only", () => {
    const ring = new LineRing(3);
    ring.push("one\ntw");
    ring.push("o\nthree\nfour\nfi");
    expect(ring.view()).toEqual(["two", "three", "four", "fi"]);
    expect(ring.lines).toHaveLength(3);
  });
});
