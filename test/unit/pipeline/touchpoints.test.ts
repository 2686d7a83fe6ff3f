import { describe, expect, test } from 'vitest';
import { defaultStages } from '../../../pipeline/stages/index.ts';
import { config, draft, run } from './helpers.ts';

const touchpointOf = async (input: Parameters<typeof draft>[0]) => (await run(defaultStages(config), [draft(input)]))[0]!.analysis.touchpoint;

describe('touchpoints stage', () => {
  test('takes the touchpoint a survey answer names', async () => {
    const survey = { survey: 'post-delivery', touchpoint: 'delivery', metric: 'nps' as const, score: 3 };
    expect(await touchpointOf({ channel: 'survey', text: 'The refund took forever', survey })).toEqual({ journey: 'fulfilment', touchpoint: 'delivery' });
  });

  test('accepts "journey/touchpoint" in a survey answer', async () => {
    const survey = { survey: 's', touchpoint: 'after-sales/returns', metric: 'csat' as const, score: 2 };
    expect(await touchpointOf({ channel: 'survey', text: '', survey })).toEqual({ journey: 'after-sales', touchpoint: 'returns' });
  });

  test('falls back to keywords when the survey names an unknown touchpoint', async () => {
    const survey = { survey: 's', touchpoint: 'somewhere-else', metric: 'nps' as const, score: 5 };
    expect(await touchpointOf({ channel: 'survey', text: 'I was on hold with customer service for an hour', survey })).toEqual({
      journey: 'after-sales',
      touchpoint: 'support-contact',
    });
  });

  test('picks the touchpoint with the most keyword hits, in English and Chinese', async () => {
    expect(await touchpointOf({ text: 'The checkout page rejected my coupon and the payment failed' })).toEqual({ journey: 'purchase', touchpoint: 'checkout' });
    expect(await touchpointOf({ text: '扣费了但是账单上没有，发票也开不了' })).toEqual({ journey: 'billing', touchpoint: 'invoice' });
  });

  test('is null when nothing points at a touchpoint', async () => {
    expect(await touchpointOf({ text: 'I love this brand' })).toBeNull();
  });
});
