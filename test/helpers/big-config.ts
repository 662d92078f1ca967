/**
 * Large service configs for scaling tests and the config-scale bench: `sections` task sections
 * with a command and a run_requires on their predecessor, or one task section with `keys` extra
 * keys (each a `command@<node>` scoped to another node: valid, and the plain command applies).
 */
export function manySections(sections: number): string {
  const out = ["[DEFAULT]", "nodes = *"];
  for (let i = 0; i < sections; i++) {
    out.push(`[task#${i}]`, `command = echo ${i}`, i > 0 ? `run_requires = task#${i - 1}(up)` : "timeout = 10s");
  }
  return out.join("\n") + "\n";
}

export function manyKeys(keys: number): string {
  const out = ["[DEFAULT]", "[task#0]", "command = echo"];
  for (let i = 0; i < keys; i++) out.push(`command@node${i} = echo ${i}`);
  return out.join("\n") + "\n";
}
