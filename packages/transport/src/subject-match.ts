/** NATS subject matching: `*` matches one token, `>` (last) matches one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === ">") return s.length > i;
    if (i >= s.length) return false;
    if (token !== "*" && token !== s[i]) return false;
  }
  return p.length === s.length;
}

export function hasWildcard(subject: string): boolean {
  return subject.split(".").some((t) => t === "*" || t === ">");
}
