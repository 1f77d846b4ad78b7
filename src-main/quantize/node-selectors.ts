// Node rules select nodes by name: an exact node or tensor name, or `/regex/` (optionally with
// flags, e.g. `/conv_\d+/i`) matched against the whole node name and each of its output tensor
// names, as AI Edge Quantizer scopes and TFLite's denylisted_nodes do. A selector that matches no
// node is an error naming the closest names, so a typo never silently quantizes the layer.
import type { Graph, Node } from '../graph/model-graph';
import { QuantizeInputError } from './errors';
import type { Recipe } from './qtypes';

export interface NodeSelector {
  readonly text: string;
  matches(node: Node): boolean;
}

const REGEX = /^\/(.+)\/([imsu]*)$/;

/** Parses one selector; a malformed /regex/ is a QuantizeInputError naming it. */
export function parseSelector(text: string, where = 'recipe'): NodeSelector {
  const m = REGEX.exec(text);
  if (!m) return { text, matches: (node) => node.name === text || node.outputs.includes(text) };
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${m[1]})$`, m[2]);
  } catch (error) {
    throw new QuantizeInputError(`${where}: ${text} is not a valid regular expression (${(error as Error).message}); write /PATTERN/ or an exact node name.`);
  }
  return { text, matches: (node) => re.test(node.name) || node.outputs.some((o) => re.test(o)) };
}

/** Levenshtein distance (case-insensitive), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[t.length]!;
}

/** The `count` names closest to `text` (a /regex/ is compared by its pattern). */
export function closestNames(text: string, names: readonly string[], count = 3): string[] {
  const probe = REGEX.exec(text)?.[1] ?? text;
  return [...new Set(names)]
    .map((name) => ({ name, d: editDistance(probe, name) }))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, count)
    .map((x) => x.name);
}

/** Throws when a node rule's selector matches no node of `graph` (one line, the 3 closest names). */
export function checkNodeSelectors(recipe: Recipe, graph: Graph, where = `recipe '${recipe.name}'`): void {
  const names = graph.nodes.flatMap((n) => [n.name, ...n.outputs]);
  for (const rule of recipe.rules) {
    for (const text of rule.nodes ?? []) {
      const selector = parseSelector(text, where);
      if (graph.nodes.some((n) => selector.matches(n))) continue;
      const near = closestNames(text, names).map((n) => `'${n}'`).join(', ');
      throw new QuantizeInputError(`${where}: node ${text} matches no node of the model; closest names: ${near}.`);
    }
  }
}
