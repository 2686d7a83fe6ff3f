/**
 * A small, tolerant XML reader for feeds: enough structure to find items and their fields, with
 * source offsets so HTML embedded without escaping can be kept as written. It never throws;
 * it reports problems with line numbers, and a problem is fatal when the document stops making sense
 * (truncated, malformed tag), after which what was read so far is still returned.
 */
export interface XmlElement {
  name: string;
  /** Lower-cased local name, without the namespace prefix. */
  local: string;
  prefix: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  line: number;
  innerStart: number;
  innerEnd: number;
  /** False when the element was never closed, or closed only implicitly by an ancestor's end tag. */
  closed: boolean;
}
export type XmlNode = XmlElement | string;

export interface XmlProblem {
  line: number;
  message: string;
  fatal: boolean;
}

export interface XmlDocument {
  root: XmlElement;
  source: string;
  problems: XmlProblem[];
}

const NAME = /[A-Za-z_][\w:.-]*/y;
const ATTR = /\s*([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/y;
const TAG_END = /\s*(\/?)>/y;
const END_TAG = /<\/\s*([^\s>]+)\s*>/y;

export function parseXml(source: string): XmlDocument {
  const problems: XmlProblem[] = [];
  const lineAt = lineCounter(source);
  const root = element('#document', 0, 1);
  const stack: XmlElement[] = [root];
  const top = () => stack[stack.length - 1]!;
  const fatal = (at: number, message: string) => problems.push({ line: lineAt(at), message, fatal: true });

  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    if (lt === -1) {
      addText(top(), decodeEntities(source.slice(i)));
      break;
    }
    if (lt > i) addText(top(), decodeEntities(source.slice(i, lt)));

    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt + 4);
      if (end === -1) { fatal(lt, 'comment never closes'); i = source.length; break; }
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = source.indexOf(']]>', lt + 9);
      if (end === -1) { fatal(lt, 'CDATA section never closes'); i = source.length; break; }
      addText(top(), source.slice(lt + 9, end));
      i = end + 3;
    } else if (source.startsWith('<?', lt)) {
      const end = source.indexOf('?>', lt + 2);
      if (end === -1) { fatal(lt, 'processing instruction never closes'); i = source.length; break; }
      i = end + 2;
    } else if (source.startsWith('<!', lt)) {
      // DOCTYPE, possibly with an internal subset in brackets.
      const bracket = source.indexOf('[', lt);
      const gt = source.indexOf('>', lt);
      const end = bracket !== -1 && bracket < gt ? source.indexOf(']>', bracket) + 1 : gt;
      if (end <= 0) { fatal(lt, 'declaration never closes'); i = source.length; break; }
      i = end + 1;
    } else if (source[lt + 1] === '/') {
      END_TAG.lastIndex = lt;
      const m = END_TAG.exec(source);
      if (!m) {
        addText(top(), '<');
        i = lt + 1;
        continue;
      }
      closeElement(stack, m[1]!, lt, lineAt, problems);
      i = END_TAG.lastIndex;
    } else {
      NAME.lastIndex = lt + 1;
      const name = NAME.exec(source);
      if (!name) {
        // A bare "<" in text ("a < b"), tolerated as text.
        addText(top(), '<');
        i = lt + 1;
        continue;
      }
      const el = element(name[0], lt, lineAt(lt));
      let p = NAME.lastIndex;
      for (;;) {
        TAG_END.lastIndex = p;
        if (TAG_END.test(source)) break;
        ATTR.lastIndex = p;
        const a = ATTR.exec(source);
        if (!a || ATTR.lastIndex === p) break;
        el.attrs[a[1]!] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
        p = ATTR.lastIndex;
      }
      TAG_END.lastIndex = p;
      const end = TAG_END.exec(source);
      if (!end) {
        fatal(lt, p >= source.length ? `document ends inside the tag <${name[0]}>` : `malformed tag <${name[0]}>`);
        i = source.length;
        break;
      }
      top().children.push(el);
      el.innerStart = el.innerEnd = TAG_END.lastIndex;
      if (end[1] === '/') el.closed = true;
      else stack.push(el);
      i = TAG_END.lastIndex;
    }
  }
  for (const open of stack.slice(1).reverse()) {
    open.innerEnd = source.length;
    fatal(source.length, `document ends before </${open.name}> (opened at line ${open.line})`);
  }
  if (!root.children.some((c) => typeof c !== 'string')) fatal(0, 'no XML elements found');
  return { root, source, problems };
}

function closeElement(stack: XmlElement[], name: string, at: number, lineAt: (i: number) => number, problems: XmlProblem[]): void {
  let depth = stack.length - 1;
  while (depth > 0 && stack[depth]!.name !== name) depth--;
  if (depth === 0) {
    problems.push({ line: lineAt(at), message: `stray </${name}> ignored`, fatal: false });
    return;
  }
  // Unclosed elements inside (HTML's <br> or <p> embedded unescaped) end where their parent ends.
  while (stack.length - 1 > depth) stack.pop()!.innerEnd = at;
  const el = stack.pop()!;
  el.innerEnd = at;
  el.closed = true;
}

function element(name: string, start: number, line: number): XmlElement {
  const colon = name.indexOf(':');
  return {
    name,
    local: (colon === -1 ? name : name.slice(colon + 1)).toLowerCase(),
    prefix: colon === -1 ? '' : name.slice(0, colon).toLowerCase(),
    attrs: {},
    children: [],
    line,
    innerStart: start,
    innerEnd: start,
    closed: false,
  };
}

function addText(el: XmlElement, text: string): void {
  if (text) el.children.push(text);
}

function lineCounter(source: string): (offset: number) => number {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

export function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

/**
 * The text of an element: decoded text and CDATA when it holds only text; the markup as written when
 * it holds elements (HTML embedded without escaping, Atom xhtml content). The pipeline strips HTML.
 */
export function textOf(el: XmlElement, source: string): string {
  const kids = el.children;
  if (kids.every((c) => typeof c === 'string')) return (kids as string[]).join('');
  return source.slice(el.innerStart, el.innerEnd).replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1');
}

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»',
  euro: '€', pound: '£', yen: '¥', middot: '·', bull: '•', deg: '°',
};

/** XML's five entities, numeric references, and the HTML ones feeds commonly use anyway. Unknown ones stay as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[xX][0-9a-fA-F]+|#\d+|[A-Za-z][A-Za-z0-9]*);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref] ?? NAMED[ref.toLowerCase()] ?? whole;
  });
}
