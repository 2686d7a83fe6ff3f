import { describe, expect, test } from 'vitest';
import { normalizeStage, normalizeText } from '../../../pipeline/stages/normalize.ts';
import { context, draft, run } from './helpers.ts';

describe('normalize stage', () => {
  test('strips HTML tags, drops script and style content, decodes entities and keeps the original', async () => {
    const html = '<div><p>Parcel <b>never</b> arrived</p><script>track("x")</script><style>p{color:red}</style>&amp; no refund&nbsp;yet &#8212; &lt;3</div>';
    const [d] = await run([normalizeStage()], [draft({ text: html })]);
    expect(d!.text).toBe('Parcel never arrived & no refund yet — <3');
    expect(d!.originalText).toBe(html);
  });

  test('applies NFKC: full-width ＡＢＣ１２３ becomes ABC123', () => {
    expect(normalizeText('订单ＡＢＣ１２３')).toBe('订单ABC123');
  });

  test('collapses whitespace, removes zero-width characters and trims', () => {
    expect(normalizeText('  late \n\n\t delivery\u200b again  ')).toBe('late delivery again');
  });

  test('leaves "a < b" and hearts alone', () => {
    expect(normalizeText('I <3 this, 2 < 5')).toBe('I <3 this, 2 < 5');
  });

  test('normalizes the title and the survey comment too', async () => {
    const [d] = await run(
      [normalizeStage()],
      [draft({ title: ' <h1>Ｌate</h1> ', text: 'x', channel: 'survey', survey: { survey: 's', metric: 'nps', score: 3, comment: ' too   slow ' } })],
    );
    expect(d!.title).toBe('Late');
    expect(d!.survey?.comment).toBe('too slow');
  });

  test('sets the same content hash for texts that differ only in case, markup and spacing', async () => {
    const [a, b, c] = await run([normalizeStage()], [
      draft({ text: 'My  parcel is LATE' }),
      draft({ text: '<p>my parcel is late</p>' }),
      draft({ text: 'my parcel is early' }),
    ]);
    expect(a!.contentHash).toMatch(/^[0-9a-f]{40}$/);
    expect(a!.contentHash).toBe(b!.contentHash);
    expect(a!.contentHash).not.toBe(c!.contentHash);
    expect(a!.analysis.models.normalize).toBe('rules-1');
  });

  test('returns a batch of the same length and order', async () => {
    const batch = [draft({ text: 'one' }), draft({ text: 'two' }), draft({ text: 'three' })];
    const ids = batch.map((d) => d.id);
    const out = await normalizeStage().run(batch, context());
    expect(out.map((d) => d.id)).toEqual(ids);
  });
});
