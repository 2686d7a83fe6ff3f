import type { RawItem } from './raw-item.ts';

/**
 * Who an item is from, for counting repeat contact: the customer when known, else the author on
 * that kind of source. The escalation stage and the stores compute it with this one function, so a
 * stored key always matches the key a new item asks for.
 */
export function authorKeyOf(item: Pick<RawItem, 'customerRef' | 'author' | 'source'>): string | null {
  if (item.customerRef) return `customer:${item.customerRef}`;
  const who = item.author?.id ?? item.author?.handle;
  return who ? `author:${item.source.kind}:${who}` : null;
}
