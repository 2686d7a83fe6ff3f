import type { BuiltInProfile } from '../profile.ts';

/** A labelled line of the complaint's summary list, e.g. "投诉对象：某公司App". */
const field = (label: string) => ({ selector: `ul.ts-q-list li:contains("${label}")`, pattern: `${label}[:：]\\s*([\\s\\S]+)` });

/**
 * 黑猫投诉 (tousu.sina.com.cn) complaint pages: one complaint per page, its summary list (number, company,
 * problem, demands, amount, progress) and the timeline of steps (submitted, assigned, answered, closed).
 * The first timeline step is the complaint itself. Start URLs are complaint pages
 * (`https://tousu.sina.com.cn/complaint/view/<number>/`); add a `listing` to start from a list page.
 */
export const heimao: BuiltInProfile = {
  channel: 'complaint',
  lang: 'zh',
  timeZone: 'Asia/Shanghai',
  extract: 'selectors',
  thread: {
    post: 'body',
    id: { selector: 'ul.ts-q-list li:contains("投诉编号")', pattern: '(\\d{6,})' },
    title: 'h1.article',
    author: '.ts-d-steplist .ts-d-item:first-child .u-name',
    date: '.ts-d-steplist .ts-d-item:first-child .u-date',
    body: '.ts-d-steplist .ts-d-item:first-child .ts-d-cont',
    dimensions: {
      complaint_object: field('投诉对象'),
      issue: field('投诉问题'),
      demands: field('投诉要求'),
      amount: field('涉诉金额'),
      status: field('投诉进度'),
    },
    timeline: {
      entry: '.ts-d-steplist .ts-d-item',
      date: '.u-date',
      actor: '.u-name',
      step: '.u-status',
      text: '.ts-d-cont',
    },
  },
};
