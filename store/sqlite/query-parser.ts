import { parseSearchQuery, type QueryNode } from '../query-syntax.ts';

export { parseQuery, parseSearchQuery, type QueryNode } from '../query-syntax.ts';

/** Every term becomes a quoted FTS5 string; FTS5 turns a string of several words into a phrase. */
export function toFts(node: QueryNode): string {
  switch (node.kind) {
    case 'term':
      return `"${node.text.replaceAll('"', '""')}"`;
    case 'or':
      return node.items.map((n) => `(${toFts(n)})`).join(' OR ');
    case 'and': {
      const inc = node.include.map((n) => `(${toFts(n)})`).join(' AND ');
      if (node.exclude.length === 0) return inc;
      return `(${inc}) NOT (${node.exclude.map((n) => `(${toFts(n)})`).join(' OR ')})`;
    }
  }
}

export interface CompiledQuery {
  /** The FTS5 MATCH expression. */
  expr: string;
  /** MATCH expressions of the terms a document can match (excluded ones aside), for relevance. */
  leaves: string[];
  /** True when a match need not contain every leaf (there is an OR), so leaves tell documents apart. */
  anyOf: boolean;
  /** True when the query is only alternatives of terms, so its matches are the union of the leaves'. */
  unionOfLeaves: boolean;
}

function positiveLeaves(node: QueryNode, out: string[]): string[] {
  if (node.kind === 'term') out.push(toFts(node));
  else if (node.kind === 'or') for (const n of node.items) positiveLeaves(n, out);
  else for (const n of node.include) positiveLeaves(n, out);
  return out;
}

function hasOr(node: QueryNode): boolean {
  if (node.kind === 'term') return false;
  if (node.kind === 'or') return true;
  return node.include.some(hasOr);
}

/**
 * Compile a user query, or return null when it is blank.
 * Throws QuerySyntaxError naming the position of the problem.
 */
export function compileQuery(q: string | undefined): CompiledQuery | null {
  const node = parseSearchQuery(q);
  if (!node) return null;
  const unionOfLeaves = node.kind === 'or' && node.items.every((n) => n.kind === 'term');
  return { expr: toFts(node), leaves: [...new Set(positiveLeaves(node, []))], anyOf: hasOr(node), unionOfLeaves };
}
