interface TeamLike {
  id: string;
  name: string;
  parentId: string | null;
}

/**
 * Teams in tree order (each parent followed by its sub-teams, by name) with their depth, for an
 * indented table. A team whose parent is not in the list (another page) is shown at the top.
 */
export function teamTree<T extends TeamLike>(teams: T[]): { team: T; depth: number; parent: T | undefined }[] {
  const byId = new Map(teams.map((t) => [t.id, t]));
  const children = new Map<string | null, T[]>();
  for (const team of teams) {
    const key = team.parentId && byId.has(team.parentId) ? team.parentId : null;
    children.set(key, [...(children.get(key) ?? []), team]);
  }
  const out: { team: T; depth: number; parent: T | undefined }[] = [];
  const seen = new Set<string>();
  const walk = (parentId: string | null, depth: number) => {
    for (const team of (children.get(parentId) ?? []).sort((a, b) => a.name.localeCompare(b.name))) {
      if (seen.has(team.id)) continue; // a cycle cannot be stored, but never loop on one
      seen.add(team.id);
      out.push({ team, depth, parent: team.parentId ? byId.get(team.parentId) : undefined });
      walk(team.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
