import { QuerySyntaxError } from '../model/index.ts';
import { segmentForQuery } from './sqlite/segment.ts';

/**
 * The user query language: words, "quoted phrases", OR, AND, a leading `-` (or NOT) to exclude,
 * and parentheses, shared by every FeedbackIndex adapter so that the same query finds the same
 * documents everywhere. Everything else — engine operators such as NEAR, `*`, `^`, `column:` — is
 * plain text: each adapter turns a term into a literal phrase of its own engine (a quoted FTS5
 * string, an Elasticsearch match_phrase), so user text never reaches an engine's query syntax.
 * Terms arrive segmented the way the index was built (Chinese words set apart by spaces).
 */
export type QueryNode =
  | { kind: 'term'; text: string }
  | { kind: 'and'; include: QueryNode[]; exclude: QueryNode[] }
  | { kind: 'or'; items: QueryNode[] };

type Token =
  | { type: 'word'; text: string; pos: number }
  | { type: 'phrase'; text: string; pos: number }
  | { type: 'lparen' | 'rparen' | 'or' | 'and' | 'not'; pos: number };

const MAX_TERMS = 64;
const MAX_DEPTH = 8;

function fail(message: string): never {
  throw new QuerySyntaxError(`invalid query: ${message}`, [{ path: 'q', message }]);
}

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/u.test(c)) { i++; continue; }
    if (c === '"') {
      const end = q.indexOf('"', i + 1);
      if (end < 0) fail(`unbalanced quote at position ${i}`);
      tokens.push({ type: 'phrase', text: q.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'lparen' : 'rparen', pos: i });
      i++;
      continue;
    }
    // A `-` glued to what follows excludes it; a lone `-` is punctuation and ignored.
    if (c === '-' && i + 1 < q.length && !/[\s)]/u.test(q[i + 1]!)) {
      tokens.push({ type: 'not', pos: i });
      i++;
      continue;
    }
    let end = i;
    while (end < q.length && !/[\s"()]/u.test(q[end]!)) end++;
    const text = q.slice(i, end);
    if (text === 'OR' || text === '|') tokens.push({ type: 'or', pos: i });
    else if (text === 'AND' || text === '&&') tokens.push({ type: 'and', pos: i });
    else if (text === 'NOT') tokens.push({ type: 'not', pos: i });
    else tokens.push({ type: 'word', text, pos: i });
    i = end;
  }
  return tokens;
}

class Parser {
  private at = 0;
  private terms = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): QueryNode | null {
    const node = this.orExpr(0);
    const extra = this.tokens[this.at];
    if (extra) fail(`unbalanced parenthesis at position ${extra.pos}`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  /** Alternatives separated by OR; each side must hold at least one token. */
  private orExpr(depth: number): QueryNode | null {
    const items: QueryNode[] = [];
    let from = this.at;
    let node = this.andExpr(depth);
    for (;;) {
      if (node) items.push(node);
      const t = this.peek();
      if (t?.type !== 'or') break;
      if (this.at === from) fail(`OR at position ${t.pos} needs a term on each side`);
      this.at++;
      from = this.at;
      node = this.andExpr(depth);
      if (this.at === from) fail(`OR at position ${t.pos} needs a term on each side`);
    }
    if (items.length === 0) return null;
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  /** Terms side by side must all match; excluded terms must not. */
  private andExpr(depth: number): QueryNode | null {
    const include: QueryNode[] = [];
    const exclude: QueryNode[] = [];
    let start: number | undefined;
    for (;;) {
      const t = this.peek();
      if (!t || t.type === 'or' || t.type === 'rparen') break;
      if (t.type === 'and') {
        this.at++;
        if (start === undefined || !startsOperand(this.peek())) fail(`AND at position ${t.pos} needs a term on each side`);
        continue;
      }
      start ??= t.pos;
      let negated = false;
      if (t.type === 'not') {
        negated = true;
        this.at++;
        if (!startsOperand(this.peek())) fail(`exclusion at position ${t.pos} needs a term after it`);
      }
      const node = this.primary(depth);
      if (node) (negated ? exclude : include).push(node);
    }
    if (include.length === 0 && exclude.length > 0) {
      fail(`the part starting at position ${start ?? 0} only excludes; add a word to search for`);
    }
    if (include.length === 0) return null;
    if (include.length === 1 && exclude.length === 0) return include[0]!;
    return { kind: 'and', include, exclude };
  }

  private primary(depth: number): QueryNode | null {
    const t = this.tokens[this.at++]!;
    if (t.type === 'lparen') {
      if (depth + 1 > MAX_DEPTH) fail(`parentheses nested deeper than ${MAX_DEPTH} at position ${t.pos}`);
      const inner = this.orExpr(depth + 1);
      const close = this.tokens[this.at];
      if (close?.type !== 'rparen') fail(`unbalanced parenthesis at position ${t.pos}`);
      this.at++;
      return inner;
    }
    if (t.type === 'word' || t.type === 'phrase') {
      if (++this.terms > MAX_TERMS) fail(`more than ${MAX_TERMS} terms`);
      return termNode(t.text);
    }
    // Only rparen can reach here (the callers stop on or/and/not): it closes nothing.
    return fail(`unbalanced parenthesis at position ${t.pos}`);
  }
}

function startsOperand(t: Token | undefined): boolean {
  return t?.type === 'word' || t?.type === 'phrase' || t?.type === 'lparen';
}

/** A term without letters or digits has nothing to search for (FTS5 would match nothing). */
const SEARCHABLE = /[\p{L}\p{N}\p{Co}]/u;

function termNode(raw: string): QueryNode | null {
  const text = segmentForQuery(raw);
  return SEARCHABLE.test(text) ? { kind: 'term', text } : null;
}

export function parseQuery(q: string): QueryNode | null {
  return new Parser(tokenize(q)).parse();
}

/**
 * Parse a user query, or return null when it is blank.
 * Throws QuerySyntaxError naming the position of the problem.
 */
export function parseSearchQuery(q: string | undefined): QueryNode | null {
  if (q === undefined || q.trim() === '') return null;
  const node = parseQuery(q);
  if (!node) fail('the query has no words to search for');
  return node;
}
