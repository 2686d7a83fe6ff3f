import type { DemoAuthor } from './authors.ts';
import type { PhraseBank } from './phrases.ts';
import type { Rng } from './prng.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function digits(rng: Rng, n: number): string {
  let s = String(rng.int(1, 9));
  for (let i = 1; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

function clock(rng: Rng, en: boolean): string {
  const hour = rng.int(7, 21);
  const minute = rng.int(0, 59);
  if (en) return `${((hour + 11) % 12) + 1}:${String(minute).padStart(2, '0')} ${hour < 12 ? 'am' : 'pm'}`;
  return `${hour < 12 ? '上午' : '下午'}${hour > 12 ? hour - 12 : hour}点${minute}分`;
}

/**
 * The values one item's templates may ask for. Each is drawn on first use and then kept, so a
 * post names one product, one order and one city throughout — and values no template asks for
 * cost nothing. One instance serves every item of a generator (`reset` per item): this is the
 * demo's hot path and allocation is most of its cost.
 */
export class Slots {
  private readonly values = new Map<string, string>();
  private en = true;
  private bank!: PhraseBank;
  private author!: DemoAuthor;

  constructor(private readonly rng: Rng) {}

  reset(bank: PhraseBank, lang: 'en' | 'zh', author: DemoAuthor, product: string, city: string): this {
    this.values.clear();
    this.bank = bank;
    this.en = lang === 'en';
    this.author = author;
    this.values.set('product', product);
    this.values.set('city', city);
    return this;
  }

  set(key: string, value: string): void {
    this.values.set(key, value);
  }

  get(key: string): string | undefined {
    let v = this.values.get(key);
    if (v === undefined) {
      v = this.draw(key);
      if (v !== undefined) this.values.set(key, v);
    }
    return v;
  }

  private draw(key: string): string | undefined {
    const { rng, en, bank } = this;
    switch (key) {
      case 'company': return bank.company;
      // Order numbers carry letters so PII detection does not mistake them for card numbers.
      case 'order': return en ? `#HL${digits(rng, 7)}` : `HL${digits(rng, 12)}`;
      case 'days': return String(rng.int(3, 14));
      case 'weeks': return String(rng.int(2, 6));
      case 'minutes': return String(rng.int(25, 150));
      case 'n': return String(rng.int(2, 5));
      case 'amount': return en ? `${rng.int(19, 899)}.${rng.pick(['99', '00', '49'])}` : String(rng.int(59, 3999));
      case 'fee': return en ? `${rng.int(4, 39)}.99` : String(rng.int(9, 199));
      case 'shipping': return en ? rng.pick(['9.99', '14.99', '24.99']) : rng.pick(['12', '18', '25']);
      case 'courier': return rng.pick(bank.slots.couriers);
      case 'agent': return rng.pick(bank.slots.agents);
      case 'weekday': return rng.pick(bank.slots.weekdays);
      case 'date': return en ? `${rng.pick(MONTHS)} ${rng.int(1, 28)}` : `${rng.int(1, 12)}月${rng.int(1, 28)}日`;
      case 'time': return clock(rng, en);
      case 'ref': return digits(rng, 8);
      case 'card': return String(rng.int(1000, 9999));
      case 'email': return this.author.email;
      case 'phone': return this.author.phone;
      default: return undefined;
    }
  }
}

/** Fill {slot} placeholders; an unknown slot stays visible so a typo in a template shows up in review. */
export function fill(template: string, slots: Slots | Readonly<Record<string, string>>): string {
  let open = template.indexOf('{');
  if (open < 0) return template;
  let out = '';
  let from = 0;
  while (open >= 0) {
    const close = template.indexOf('}', open);
    if (close < 0) break;
    const key = template.slice(open + 1, close);
    const value = slots instanceof Slots ? slots.get(key) : slots[key];
    out += template.slice(from, open) + (value ?? template.slice(open, close + 1));
    from = close + 1;
    open = template.indexOf('{', from);
  }
  return out + template.slice(from);
}
