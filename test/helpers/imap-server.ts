import { createServer, type Server, type Socket } from 'node:net';
import { header, parseMessage, splitHead, type MimePart } from '../../crawlers/imap/mime.ts';

/**
 * A minimal IMAP4rev1 server for connector tests: plain TCP on 127.0.0.1, one user, one mailbox of
 * RFC 822 messages given by the test. It speaks what imapflow sends: CAPABILITY, LOGIN, AUTHENTICATE
 * PLAIN, ID, ENABLE, NAMESPACE, LIST, SELECT/EXAMINE, STATUS, NOOP, (UID) SEARCH, (UID) FETCH with UID,
 * FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODYSTRUCTURE and BODY[.PEEK][section]<partial>,
 * (UID) STORE, CLOSE and LOGOUT. Every command is logged (passwords masked) so tests can assert on them.
 */

export interface ImapTestMessage {
  raw: string | Buffer;
  flags?: string[];
  internalDate?: Date;
}

export interface ImapServerOptions {
  user?: string;
  password?: string;
  mailbox?: string;
  uidValidity?: number;
  messages?: Array<string | ImapTestMessage>;
  /** Accept connections but never send the greeting (for timeout tests). */
  silent?: boolean;
  /** Offer AUTHENTICATE PLAIN (default); without it clients fall back to LOGIN. */
  authPlain?: boolean;
}

export interface StoredMessage {
  uid: number;
  raw: Buffer;
  flags: Set<string>;
  internalDate: Date;
}

export interface ImapTestServer {
  host: string;
  port: number;
  /** Commands received, in order, as "COMMAND args" without tags; LOGIN/AUTHENTICATE arguments masked. */
  readonly commands: string[];
  /** Add messages as if delivered; returns their UIDs. */
  append(...messages: Array<string | ImapTestMessage>): number[];
  /** A snapshot of the mailbox: uid and flags of each message. */
  snapshot(): Array<{ uid: number; flags: string[] }>;
  /** Rebuild the mailbox under a new UIDVALIDITY: UIDs are renumbered from 1. */
  rebuild(uidValidity: number): void;
  close(): Promise<void>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export async function startImapServer(options: ImapServerOptions = {}): Promise<ImapTestServer> {
  const user = options.user ?? 'complaints@example.com';
  const password = options.password ?? 'secret';
  const mailboxName = options.mailbox ?? 'INBOX';
  const CAPABILITIES = `IMAP4rev1 LITERAL+ ID ENABLE NAMESPACE UIDPLUS${options.authPlain === false ? '' : ' AUTH=PLAIN'}`;
  let uidValidity = options.uidValidity ?? 1_700_000_000;
  let uidNext = 1;
  const messages: StoredMessage[] = [];
  const commands: string[] = [];
  const sockets = new Set<Socket>();

  const toStored = (m: string | ImapTestMessage): StoredMessage => {
    const spec = typeof m === 'string' ? { raw: m } : m;
    const raw = Buffer.isBuffer(spec.raw) ? spec.raw : Buffer.from(spec.raw.replace(/\r?\n/g, '\r\n'), 'utf8');
    return { uid: uidNext++, raw, flags: new Set(spec.flags ?? []), internalDate: spec.internalDate ?? new Date() };
  };
  const append = (...list: Array<string | ImapTestMessage>) => list.map((m) => {
    const stored = toStored(m);
    messages.push(stored);
    return stored.uid;
  });
  append(...(options.messages ?? []));

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (options.silent) return;
    const session = new Session(socket);
    socket.on('data', (chunk) => session.receive(chunk));
    session.send(`* OK [CAPABILITY ${CAPABILITIES}] test IMAP server ready\r\n`);
  });

  class Session {
    private buffer = Buffer.alloc(0);
    private authenticated = false;
    private selected = false;
    private readOnly = true;
    private knownExists = 0;
    private continued = new Set<number>();
    private pendingAuth: string | null = null;

    constructor(private readonly socket: Socket) {}

    send(data: string | Buffer): void {
      if (!this.socket.destroyed) this.socket.write(data);
    }

    receive(chunk: Buffer): void {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const command = this.takeCommand();
        if (command === null) return;
        try {
          this.handle(command);
        } catch (err) {
          const tag = command.split(' ', 1)[0] || '*';
          this.send(`${tag} BAD ${(err as Error).message}\r\n`);
        }
      }
    }

    /** One complete command (literals included, as latin1 text), or null while more bytes are needed. */
    private takeCommand(): string | null {
      let pos = 0;
      for (;;) {
        const nl = this.buffer.indexOf('\r\n', pos, 'latin1');
        if (nl < 0) return null;
        const line = this.buffer.subarray(pos, nl).toString('latin1');
        const lit = /\{(\d+)(\+)?\}$/.exec(line);
        if (!lit) {
          const text = this.buffer.subarray(0, nl).toString('latin1');
          this.buffer = this.buffer.subarray(nl + 2);
          this.continued.clear();
          return text;
        }
        const size = Number(lit[1]);
        if (!lit[2] && !this.continued.has(nl)) {
          this.continued.add(nl);
          this.send('+ go ahead\r\n');
        }
        if (this.buffer.length < nl + 2 + size) return null;
        pos = nl + 2 + size;
      }
    }

    private handle(line: string): void {
      if (this.pendingAuth !== null) {
        const tag = this.pendingAuth;
        this.pendingAuth = null;
        commands.push('AUTHENTICATE (response)');
        return this.plainAuth(tag, line.trim());
      }
      const tokens = tokenize(line);
      const tag = tokens.shift();
      if (typeof tag !== 'string' || tag === '') throw new Error('missing tag');
      let name = String(tokens.shift() ?? '').toUpperCase();
      let uid = false;
      if (name === 'UID') {
        uid = true;
        name = String(tokens.shift() ?? '').toUpperCase();
      }
      commands.push(`${uid ? 'UID ' : ''}${name}${['LOGIN', 'AUTHENTICATE'].includes(name) ? ' ***' : tokens.length ? ' ' + render(tokens) : ''}`);
      const ok = (text = 'completed') => this.send(`${tag} OK ${text}\r\n`);
      const no = (text: string) => this.send(`${tag} NO ${text}\r\n`);
      const bad = (text: string) => this.send(`${tag} BAD ${text}\r\n`);

      switch (name) {
        case 'CAPABILITY':
          this.send(`* CAPABILITY ${CAPABILITIES}\r\n`);
          return ok();
        case 'NOOP':
        case 'CHECK':
          this.notify();
          return ok();
        case 'LOGOUT':
          this.send('* BYE logging out\r\n');
          ok();
          this.socket.end();
          return;
        case 'ID':
          this.send('* ID ("name" "allears-test-imap")\r\n');
          return ok();
        case 'LOGIN': {
          const [u, p] = tokens as string[];
          if (fromLatin1(u ?? '') === user && fromLatin1(p ?? '') === password) {
            this.authenticated = true;
            return ok(`[CAPABILITY ${CAPABILITIES}] logged in`);
          }
          return no('[AUTHENTICATIONFAILED] Invalid credentials');
        }
        case 'AUTHENTICATE': {
          if (String(tokens[0]).toUpperCase() !== 'PLAIN' || options.authPlain === false) return no('unsupported mechanism');
          if (tokens[1] !== undefined) return this.plainAuth(tag, String(tokens[1]));
          this.pendingAuth = tag;
          this.send('+ \r\n');
          return;
        }
      }
      if (!this.authenticated) return bad('log in first');

      switch (name) {
        case 'ENABLE':
          this.send('* ENABLED\r\n');
          return ok();
        case 'NAMESPACE':
          this.send('* NAMESPACE (("" "/")) NIL NIL\r\n');
          return ok();
        case 'LIST':
        case 'LSUB': {
          const pattern = fromLatin1(String(tokens[1] ?? ''));
          if (pattern === '') this.send(`* ${name} (\\Noselect) "/" ""\r\n`);
          else if (globMatch(pattern, mailboxName)) this.send(`* ${name} (\\HasNoChildren) "/" ${quote(mailboxName)}\r\n`);
          return ok();
        }
        case 'STATUS': {
          if (fromLatin1(String(tokens[0])) !== mailboxName) return no('[NONEXISTENT] no such mailbox');
          const items = (Array.isArray(tokens[1]) ? tokens[1] : []).map((t) => String(t).toUpperCase());
          const values: Record<string, number> = {
            MESSAGES: messages.length, UIDNEXT: uidNext, UIDVALIDITY: uidValidity,
            UNSEEN: messages.filter((m) => !m.flags.has('\\Seen')).length, RECENT: 0,
          };
          this.send(`* STATUS ${quote(mailboxName)} (${items.filter((i) => i in values).map((i) => `${i} ${values[i]}`).join(' ')})\r\n`);
          return ok();
        }
        case 'SELECT':
        case 'EXAMINE': {
          if (fromLatin1(String(tokens[0])) !== mailboxName) {
            this.selected = false;
            return no('[NONEXISTENT] no such mailbox');
          }
          this.selected = true;
          this.readOnly = name === 'EXAMINE';
          this.knownExists = messages.length;
          this.send('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n');
          this.send(`* OK [PERMANENTFLAGS (${this.readOnly ? '' : '\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*'})] flags\r\n`);
          this.send(`* ${messages.length} EXISTS\r\n* 0 RECENT\r\n`);
          this.send(`* OK [UIDVALIDITY ${uidValidity}] UIDs valid\r\n* OK [UIDNEXT ${uidNext}] predicted next UID\r\n`);
          return ok(`[${this.readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${name} completed`);
        }
        case 'CLOSE':
        case 'UNSELECT':
          this.selected = false;
          return ok();
      }
      if (!this.selected) return bad('no mailbox selected');

      switch (name) {
        case 'SEARCH': {
          if (String(tokens[0]).toUpperCase() === 'CHARSET') tokens.splice(0, 2);
          const found = messages.filter((m, i) => matchAll(tokens, m, i + 1));
          this.send(`* SEARCH${found.map((m) => ' ' + (uid ? m.uid : messages.indexOf(m) + 1)).join('')}\r\n`);
          return ok();
        }
        case 'FETCH': {
          const selection = resolveSet(String(tokens[0]), uid);
          const items = Array.isArray(tokens[1]) ? tokens[1].map(String) : expandMacro(String(tokens[1]));
          if (uid && !items.some((i) => i.toUpperCase() === 'UID')) items.unshift('UID');
          for (const m of selection) this.send(this.fetchResponse(m, items));
          return ok();
        }
        case 'STORE': {
          if (this.readOnly) return no('mailbox is read-only');
          const selection = resolveSet(String(tokens[0]), uid);
          const action = String(tokens[1]).toUpperCase();
          const flags = (Array.isArray(tokens[2]) ? tokens[2] : [tokens[2]]).map(String);
          for (const m of selection) {
            if (action.startsWith('+FLAGS')) flags.forEach((f) => m.flags.add(f));
            else if (action.startsWith('-FLAGS')) flags.forEach((f) => m.flags.delete(f));
            else if (action.startsWith('FLAGS')) m.flags = new Set(flags);
            else return bad('unknown STORE action');
            if (!action.endsWith('.SILENT')) this.send(`* ${messages.indexOf(m) + 1} FETCH (${uid ? `UID ${m.uid} ` : ''}FLAGS (${[...m.flags].join(' ')}))\r\n`);
          }
          return ok();
        }
      }
      return bad(`unknown command ${name}`);
    }

    private plainAuth(tag: string, b64: string): void {
      const [, u, p] = Buffer.from(b64, 'base64').toString('utf8').split('\0');
      if (u === user && p === password) {
        this.authenticated = true;
        this.send(`${tag} OK [CAPABILITY ${CAPABILITIES}] authenticated\r\n`);
      } else this.send(`${tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n`);
    }

    /** Tell a selected session about messages delivered since it last looked. */
    private notify(): void {
      if (this.selected && messages.length !== this.knownExists) {
        this.knownExists = messages.length;
        this.send(`* ${messages.length} EXISTS\r\n`);
      }
    }

    private fetchResponse(m: StoredMessage, items: string[]): Buffer {
      const parts: Array<string | Buffer> = [];
      let setSeen = false;
      for (const item of items) {
        const upper = item.toUpperCase();
        if (upper === 'UID') parts.push(`UID ${m.uid}`);
        else if (upper === 'FLAGS') parts.push(`FLAGS (${[...m.flags].join(' ')})`);
        else if (upper === 'INTERNALDATE') parts.push(`INTERNALDATE "${imapDateTime(m.internalDate)}"`);
        else if (upper === 'RFC822.SIZE') parts.push(`RFC822.SIZE ${m.raw.length}`);
        else if (upper === 'ENVELOPE') parts.push(`ENVELOPE ${envelope(m.raw)}`);
        else if (upper === 'BODYSTRUCTURE' || upper === 'BODY') parts.push(`${upper} ${bodyStructure(m.raw)}`);
        else {
          const sec = /^(BODY|BODY\.PEEK|BINARY\.PEEK|BINARY)\[([^\]]*)\](?:<(\d+)(?:\.(\d+))?>)?$/i.exec(item);
          if (!sec) throw new Error(`unsupported FETCH item ${item}`);
          if (!/PEEK/i.test(sec[1]!) && !this.readOnly && !m.flags.has('\\Seen')) setSeen = true;
          let data = section(m.raw, sec[2]!);
          const start = sec[3] === undefined ? undefined : Number(sec[3]);
          if (start !== undefined) data = data.subarray(start, sec[4] === undefined ? undefined : start + Number(sec[4]));
          const label = `${sec[1]!.toUpperCase().replace('.PEEK', '')}[${sec[2]!.toUpperCase()}]${start !== undefined ? `<${start}>` : ''}`;
          parts.push(`${label} {${data.length}}\r\n`, data);
        }
      }
      if (setSeen) {
        m.flags.add('\\Seen');
        if (!items.some((i) => i.toUpperCase() === 'FLAGS')) parts.push(`FLAGS (${[...m.flags].join(' ')})`);
      }
      const chunks: Buffer[] = [Buffer.from(`* ${messages.indexOf(m) + 1} FETCH (`)];
      parts.forEach((p, i) => {
        const prev = parts[i - 1];
        if (i > 0 && !Buffer.isBuffer(p) && !(typeof prev === 'string' && prev.endsWith('\r\n'))) chunks.push(Buffer.from(' '));
        chunks.push(Buffer.isBuffer(p) ? p : Buffer.from(p, 'utf8'));
      });
      chunks.push(Buffer.from(')\r\n'));
      return Buffer.concat(chunks);
    }
  }

  /** Messages a sequence set names, in mailbox order; "n:*" includes the last message even past the end (RFC 3501). */
  function resolveSet(set: string, byUid: boolean): StoredMessage[] {
    if (messages.length === 0) return [];
    const max = byUid ? messages[messages.length - 1]!.uid : messages.length;
    const num = (s: string) => (s === '*' ? max : Number(s));
    const ranges = set.split(',').map((r) => {
      const [a, b] = r.split(':');
      const x = num(a!);
      const y = b === undefined ? x : num(b);
      if (!Number.isInteger(x) || !Number.isInteger(y)) throw new Error(`bad sequence set ${set}`);
      return [Math.min(x, y), Math.max(x, y)] as const;
    });
    return messages.filter((m, i) => {
      const key = byUid ? m.uid : i + 1;
      return ranges.some(([lo, hi]) => key >= lo && key <= hi);
    });
  }

  /** SEARCH keys, all of which must match. */
  function matchAll(tokens: Token[], m: StoredMessage, seq: number): boolean {
    const queue = [...tokens];
    const next = (): boolean => {
      const t = queue.shift();
      if (Array.isArray(t)) return matchAll(t, m, seq);
      const key = String(t).toUpperCase();
      switch (key) {
        case 'ALL': return true;
        case 'NOT': return !next();
        case 'OR': { const a = next(); const b = next(); return a || b; }
        case 'UID': return resolveSet(String(queue.shift()), true).includes(m);
        case 'SEEN': return m.flags.has('\\Seen');
        case 'UNSEEN': return !m.flags.has('\\Seen');
        case 'DELETED': return m.flags.has('\\Deleted');
        case 'UNDELETED': return !m.flags.has('\\Deleted');
        case 'SINCE': return dayOf(m.internalDate) >= parseImapDate(String(queue.shift()));
        case 'BEFORE': return dayOf(m.internalDate) < parseImapDate(String(queue.shift()));
        case 'ON': return dayOf(m.internalDate) === parseImapDate(String(queue.shift()));
        default:
          if (/^[\d*:,]+$/.test(key)) return resolveSet(key, false).includes(m) && seq > 0;
          throw new Error(`unsupported SEARCH key ${key}`);
      }
    };
    let all = true;
    while (queue.length > 0) all = next() && all;
    return all;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');

  return {
    host: '127.0.0.1',
    port: address.port,
    commands,
    append,
    snapshot: () => messages.map((m) => ({ uid: m.uid, flags: [...m.flags].sort() })),
    rebuild(next: number) {
      uidValidity = next;
      uidNext = 1;
      for (const m of messages) m.uid = uidNext++;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

type Token = string | Token[];

/** IMAP command arguments: atoms (with [sections] kept whole), quoted strings, literals and lists. */
function tokenize(line: string): Token[] {
  let i = 0;
  const list = (close: string | null): Token[] => {
    const out: Token[] = [];
    while (i < line.length) {
      const ch = line[i]!;
      if (ch === ' ') { i++; continue; }
      if (close !== null && ch === close) { i++; return out; }
      if (ch === '(') { i++; out.push(list(')')); continue; }
      if (ch === '"') {
        let s = '';
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\') i++;
          s += line[i++] ?? '';
        }
        i++;
        out.push(s);
        continue;
      }
      const lit = /^\{(\d+)\+?\}\r\n/.exec(line.slice(i));
      if (lit) {
        i += lit[0].length;
        out.push(line.slice(i, i + Number(lit[1])));
        i += Number(lit[1]);
        continue;
      }
      let atom = '';
      while (i < line.length && line[i] !== ' ' && line[i] !== '(' && line[i] !== ')') {
        if (line[i] === '[') {
          const end = line.indexOf(']', i);
          if (end < 0) throw new Error('unclosed [');
          atom += line.slice(i, end + 1);
          i = end + 1;
          continue;
        }
        atom += line[i++];
      }
      out.push(atom);
    }
    return out;
  };
  return list(null);
}

function render(tokens: Token[]): string {
  return tokens.map((t) => (Array.isArray(t) ? `(${render(t)})` : /[\s"]/.test(t) || t === '' ? JSON.stringify(t) : t)).join(' ');
}

const fromLatin1 = (s: string) => Buffer.from(s, 'latin1').toString('utf8');

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/%/g, '[^/]*') + '$', 'i');
  return re.test(name);
}

function expandMacro(item: string): string[] {
  switch (item.toUpperCase()) {
    case 'ALL': return ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'];
    case 'FAST': return ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'];
    case 'FULL': return ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'];
    default: return [item];
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

function imapDateTime(d: Date): string {
  return `${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const dayOf = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());

function parseImapDate(s: string): number {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(s);
  const month = m ? MONTHS.findIndex((x) => x.toLowerCase() === m[2]!.toLowerCase()) : -1;
  if (!m || month < 0) throw new Error(`bad date ${s}`);
  return Date.UTC(Number(m[3]), month, Number(m[1]));
}

/** A string as IMAP writes it: quoted when plain ASCII, a literal otherwise, NIL when absent. */
function quote(s: string | undefined): string {
  if (s === undefined) return 'NIL';
  if (/^[\x20-\x7e]*$/.test(s)) return `"${s.replace(/["\\]/g, '\\$&')}"`;
  // Responses are encoded as UTF-8 as a whole, so the literal's byte count is the UTF-8 length.
  return `{${Buffer.byteLength(s, 'utf8')}}\r\n${s}`;
}

/** A message's header fields, values still encoded as sent. */
function rawHeaders(raw: Buffer): MimePart['headers'] {
  return parseMessageSafe(raw).headers;
}

function parseMessageSafe(raw: Buffer): MimePart {
  try {
    return parseMessage(raw);
  } catch {
    // Broken MIME: the server still answers, describing the message as one text part.
    const { head, body } = splitHead(raw);
    const part = parseMessage(Buffer.from(head.replace(/^content-type:.*$/gim, 'X-Broken-Content-Type: 1') + '\r\n\r\n', 'utf8'));
    part.body = body;
    return part;
  }
}

function addressList(value: string | undefined): string {
  if (!value) return 'NIL';
  const out: string[] = [];
  for (const piece of value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^>]*)>\s*$/.exec(piece) ?? /^\s*()([^\s]+)\s*$/.exec(piece);
    if (!m) continue;
    const [local, host] = m[2]!.split('@');
    out.push(`(${quote(m[1] || undefined)} NIL ${quote(local)} ${quote(host)})`);
  }
  return out.length ? `(${out.join('')})` : 'NIL';
}

function envelope(raw: Buffer): string {
  const h = { headers: rawHeaders(raw) };
  const from = header(h, 'from');
  return `(${[
    quote(header(h, 'date')), quote(header(h, 'subject')), addressList(from), addressList(header(h, 'sender') ?? from),
    addressList(header(h, 'reply-to') ?? from), addressList(header(h, 'to')), addressList(header(h, 'cc')),
    addressList(header(h, 'bcc')), quote(header(h, 'in-reply-to')), quote(header(h, 'message-id')),
  ].join(' ')})`;
}

function paramList(params: Record<string, string>): string {
  const entries = Object.entries(params);
  return entries.length ? `(${entries.map(([k, v]) => `${quote(k.toUpperCase())} ${quote(v)}`).join(' ')})` : 'NIL';
}

function bodyStructure(raw: Buffer): string {
  const describe = (part: MimePart): string => {
    const [type, subtype] = part.type.split('/') as [string, string];
    if (type === 'multipart') return `(${part.children.map(describe).join('')} ${quote(subtype.toUpperCase())} ${paramList(part.params)} NIL NIL NIL)`;
    const disposition = part.disposition ? `(${quote(part.disposition.toUpperCase())} ${paramList(part.dispositionParams)})` : 'NIL';
    const basic = `${quote(type.toUpperCase())} ${quote(subtype.toUpperCase())} ${paramList(part.params)} ${quote(header(part, 'content-id'))} NIL ${quote(part.transferEncoding.toUpperCase())} ${part.body.length}`;
    const lines = part.body.toString('latin1').split('\n').length;
    if (type === 'text') return `(${basic} ${lines} NIL ${disposition} NIL NIL)`;
    if (part.type === 'message/rfc822') return `(${basic} ${envelope(part.body)} ${bodyStructure(part.body)} ${lines} NIL ${disposition} NIL NIL)`;
    return `(${basic} NIL ${disposition} NIL NIL)`;
  };
  return describe(parseMessageSafe(raw));
}

/** BODY[section]: "", HEADER, TEXT, HEADER.FIELDS (…), HEADER.FIELDS.NOT (…), n[.n…][.MIME|.HEADER|.TEXT]. */
function section(raw: Buffer, spec: string): Buffer {
  const upper = spec.toUpperCase().trim();
  if (upper === '') return raw;
  const headEnd = headerLength(raw);
  if (upper === 'HEADER') return raw.subarray(0, headEnd);
  if (upper === 'TEXT') return raw.subarray(headEnd);
  const fields = /^HEADER\.FIELDS(\.NOT)?\s*\(([^)]*)\)$/.exec(upper);
  if (fields) {
    const names = fields[2]!.trim().split(/\s+/).map((n) => n.toLowerCase());
    const lines = raw.subarray(0, headEnd).toString('latin1').split(/\r\n(?![ \t])/).filter((l) => l.includes(':'));
    const kept = lines.filter((l) => names.includes(l.slice(0, l.indexOf(':')).trim().toLowerCase()) !== Boolean(fields[1]));
    return Buffer.from(kept.map((l) => l + '\r\n').join('') + '\r\n', 'latin1');
  }
  const m = /^(\d+(?:\.\d+)*)(?:\.(MIME|HEADER|TEXT))?$/.exec(upper);
  if (!m) throw new Error(`unsupported section ${spec}`);
  let part = parseMessageSafe(raw);
  const path = m[1]!.split('.').map(Number);
  // A single-part message has exactly one part, "1".
  if (!part.type.startsWith('multipart/') && (path.length > 1 || path[0] !== 1)) return Buffer.alloc(0);
  for (const n of path) {
    if (!part.type.startsWith('multipart/')) break;
    const child = part.children[n - 1];
    if (!child) return Buffer.alloc(0);
    part = child;
  }
  if (m[2] === 'MIME' || m[2] === 'HEADER') return Buffer.from(part.headers.map((h) => `${h.name}: ${h.value}\r\n`).join('') + '\r\n', 'utf8');
  return part.body;
}

function headerLength(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  if (crlf >= 0) return crlf + 4;
  const lf = raw.indexOf('\n\n');
  return lf >= 0 ? lf + 2 : raw.length;
}
