import { useSearchParams } from "react-router";

/**
 * View state kept in the URL's query string (filters, sort, tabs), so a reload or a shared link
 * shows the same view: `get(key)` reads, `set(key, value)` replaces (an empty value removes it);
 * `getAll` / `setAll` do the same for a key repeated once per value (`?label=a:1&label=b:2`).
 * The controls bound to it are controlled inputs, so the URL is updated synchronously (`flushSync`):
 * in a deferred transition a busy page showed a click or keystroke only later, or lost it.
 */
export function useUrlState() {
  const [params, setParams] = useSearchParams();
  const get = (key: string, fallback = "") => params.get(key) ?? fallback;
  const set = (key: string, value: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true, flushSync: true },
    );
  const getAll = (key: string) => params.getAll(key);
  const setAll = (key: string, values: readonly string[]) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        next.delete(key);
        for (const v of values) next.append(key, v);
        return next;
      },
      { replace: true, flushSync: true },
    );
  return { get, set, getAll, setAll };
}
