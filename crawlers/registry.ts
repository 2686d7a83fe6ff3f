import type { SourceFactory } from './source.ts';
import { appStoreSource } from './appstore/source.ts';
import { cfpbSource } from './cfpb/source.ts';
import { demoSource } from './demo/source.ts';
import { discourseSource } from './discourse/source.ts';
import { hnSource } from './hn/source.ts';
import { mastodonSource } from './mastodon/source.ts';
import { redditSource } from './reddit/source.ts';
import { imapSource } from './imap/source.ts';
import { rssSource } from './rss/source.ts';
import { webSource } from './web/source.ts';
import { webhookSource } from './webhook/source.ts';

/** Source kinds by name, as written in config `sources[].kind`. */
export const SOURCE_KINDS: Readonly<Record<string, SourceFactory>> = {
  demo: demoSource,
  rss: rssSource,
  hn: hnSource,
  reddit: redditSource,
  mastodon: mastodonSource,
  discourse: discourseSource,
  appstore: appStoreSource,
  imap: imapSource,
  webhook: webhookSource,
  cfpb: cfpbSource,
  web: webSource,
};
