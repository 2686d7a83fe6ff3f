import type { Rng } from './prng.ts';

/** A demo customer: public channels show the handle and reach, private ones the name and customer ref. */
export interface DemoAuthor {
  id: string;
  handle: string;
  name: string;
  followers: number;
  verified: boolean;
  customerRef: string;
  email: string;
  phone: string;
}

const EN_FIRST = ['James', 'Maria', 'David', 'Sarah', 'Michael', 'Emily', 'Chris', 'Jessica', 'Daniel', 'Ashley', 'Ryan', 'Megan', 'Kevin', 'Laura', 'Brian', 'Olivia', 'Jason', 'Hannah', 'Tyler', 'Rachel', 'Marcus', 'Priya', 'Wei', 'Carlos', 'Fatima', 'Liam', 'Chloe', 'Noah', 'Grace', 'Ethan'];
const EN_LAST = ['Smith', 'Johnson', 'Brown', 'Garcia', 'Miller', 'Davis', 'Martinez', 'Lee', 'Walker', 'Hall', 'Young', 'King', 'Wright', 'Lopez', 'Hill', 'Green', 'Baker', 'Patel', 'Nguyen', 'Kim', 'Clarke', 'Evans', 'Turner', 'Cooper'];
const EN_WORDS = ['coffee', 'runner', 'mom', 'dad', 'gamer', 'chef', 'travels', 'reads', 'bakes', 'nyc', 'bay', 'tx', 'uk', 'real', 'the', 'just'];

const ZH_SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗'];
const ZH_PREFIX = ['快乐的', '爱吃', '不想上班的', '深夜', '佛系', '努力的', '一只', '小小', '今天也要', '可爱的', '上海', '成都', '北漂'];
const ZH_NOUN = ['小熊', '橘子', '程序员', '宝妈', '打工人', '猫猫', '西瓜', '土豆', '奶茶', '咸鱼', '兔子', '阿杰', '小鹿'];

/** Heavy-tailed reach: most authors have tens of followers, about one in 150 has 10k–500k. */
function followers(rng: Rng): number {
  return rng.pareto(20, 0.8, 500_000);
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

function enAuthor(rng: Rng, i: number): DemoAuthor {
  const first = rng.pick(EN_FIRST);
  const last = rng.pick(EN_LAST);
  const style = rng.int(0, 3);
  const handle =
    style === 0 ? `${first}${last}${rng.int(1, 99)}` :
    style === 1 ? `${first.toLowerCase()}_${rng.pick(EN_WORDS)}` :
    style === 2 ? `${rng.pick(EN_WORDS)}${first.toLowerCase()}${rng.int(70, 99)}` :
    `${first[0]!.toLowerCase()}${last.toLowerCase()}`;
  const f = followers(rng);
  return {
    id: `en-${i}`,
    handle,
    name: `${first} ${last}`,
    followers: f,
    verified: f > 50_000 && rng.chance(0.6),
    customerRef: `C-${digits(rng, 7)}`,
    email: `${first.toLowerCase()}.${last.toLowerCase()}${rng.int(1, 99)}@example.com`,
    phone: rng.chance(0.5) ? `(${rng.int(201, 989)}) 555-01${digits(rng, 2)}` : `${rng.int(201, 989)}-555-01${digits(rng, 2)}`,
  };
}

function zhAuthor(rng: Rng, i: number): DemoAuthor {
  const surname = rng.pick(ZH_SURNAMES);
  const handle = rng.chance(0.2) ? `用户${digits(rng, 10)}` : `${rng.pick(ZH_PREFIX)}${rng.pick(ZH_NOUN)}${rng.chance(0.4) ? rng.int(1, 2025) : ''}`;
  const f = followers(rng);
  // Mobile numbers are written in many ways; redaction has to catch all of them.
  const mobile = `1${rng.int(3, 9)}${digits(rng, 1)}`;
  const a = digits(rng, 4);
  const b = digits(rng, 4);
  const phone = rng.pick([`${mobile} ${a} ${b}`, `${mobile}${a}${b}`, `${mobile}-${a}-${b}`]);
  return {
    id: `zh-${i}`,
    handle,
    name: `${surname}${rng.chance(0.5) ? '先生' : '女士'}`,
    followers: f,
    verified: f > 50_000 && rng.chance(0.6),
    customerRef: `C-${digits(rng, 7)}`,
    email: `${digits(rng, rng.int(8, 10))}@mail.example.cn`,
    phone,
  };
}

export function createAuthorPool(rng: Rng, lang: 'en' | 'zh', size: number): DemoAuthor[] {
  const make = lang === 'en' ? enAuthor : zhAuthor;
  return Array.from({ length: size }, (_, i) => make(rng, i));
}

/** Some customers post much more often than others: bias the draw towards the start of the pool. */
export function pickAuthor(rng: Rng, pool: readonly DemoAuthor[]): DemoAuthor {
  const r = rng.next();
  return pool[Math.floor(r * r * pool.length)]!;
}
