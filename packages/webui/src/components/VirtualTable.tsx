import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, type ReactNode, useCallback, useRef } from "react";

export interface Column<T> {
  readonly id: string;
  readonly header: string;
  /** CSS grid track, e.g. "2fr" or "120px". */
  readonly width: string;
  readonly cell: (row: T) => ReactNode;
  /** Sortable when given. */
  readonly sortValue?: (row: T) => string | number;
}

export interface Sort {
  readonly id: string;
  readonly desc: boolean;
}

/** `name` / `-name` in the URL. */
export function parseSort(value: string | null, fallback: Sort): Sort {
  if (!value) return fallback;
  return value.startsWith("-") ? { id: value.slice(1), desc: true } : { id: value, desc: false };
}

export function sortRows<T>(rows: readonly T[], columns: readonly Column<T>[], sort: Sort): T[] {
  const col = columns.find((c) => c.id === sort.id);
  if (!col?.sortValue) return [...rows];
  const value = col.sortValue;
  const sign = sort.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  });
}

/**
 * A row's cells, rendered again only when the row (or the columns) change: scrolling moves rows
 * without re-rendering what they show.
 */
const Cells = memo(function Cells<T>({ row, columns }: { row: T; columns: readonly Column<T>[] }) {
  return (
    <>
      {columns.map((c) => (
        <td key={c.id} className="vtable-cell">
          {c.cell(row)}
        </td>
      ))}
    </>
  );
}) as <T>(props: { row: T; columns: readonly Column<T>[] }) => ReactNode;

/**
 * A table of any length: only the rows in view are in the DOM (a row virtualizer over a grid),
 * with stable row keys, ARIA row indexes and sortable headers that report the sort to the caller.
 */
export function VirtualTable<T>({
  rows,
  columns,
  rowKey,
  sort,
  onSort,
  label,
  rowTestId,
  testId,
  rowHeight = 36,
  height = "calc(100vh - 260px)",
}: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  sort?: Sort;
  onSort?: (sort: Sort) => void;
  label: string;
  rowTestId?: string;
  testId?: string;
  rowHeight?: number;
  height?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // The virtualizer recomputes every row's offset and key whenever `getItemKey` changes identity:
  // a new function per render would make each scroll frame O(rows) (10,000 keys read per frame).
  const keyOf = useRef(rowKey);
  keyOf.current = rowKey;
  const getItemKey = useCallback((i: number) => keyOf.current(rows[i]!), [rows]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    getItemKey,
  });
  const template = columns.map((c) => c.width).join(" ");
  // A real <table> laid out as a grid: the rows in view are positioned inside a tall <tbody>.
  return (
    <div className="vtable" data-testid={testId}>
      <table aria-label={label} aria-rowcount={rows.length + 1}>
        <thead className="vtable-head">
          <tr className="vtable-row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
            {columns.map((c) => {
              const active = sort?.id === c.id;
              return (
                <th
                  key={c.id}
                  scope="col"
                  aria-sort={active ? (sort.desc ? "descending" : "ascending") : undefined}
                  className="vtable-cell"
                >
                  {c.sortValue && onSort ? (
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() => onSort({ id: c.id, desc: active ? !sort.desc : false })}
                    >
                      {c.header}
                      <span aria-hidden="true">{active ? (sort.desc ? " ▾" : " ▴") : ""}</span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
      </table>
      <div ref={scroller} className="vtable-body" style={{ maxHeight: height }}>
        <table aria-label={`${label} (rows)`}>
          <tbody style={{ height: virtualizer.getTotalSize(), position: "relative", display: "block" }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index]!;
              return (
                <tr
                  key={item.key}
                  aria-rowindex={item.index + 2}
                  data-testid={rowTestId}
                  className="vtable-row"
                  style={{
                    gridTemplateColumns: template,
                    position: "absolute",
                    top: 0,
                    left: 0,
                    right: 0,
                    height: rowHeight,
                    transform: `translateY(${item.start}px)`,
                  }}
                >
                  <Cells row={row} columns={columns} />
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
