/** The shape both phrase banks share, so the generator composes English and Chinese the same way. */

export const SCENARIOS = [
  'late-delivery', 'damaged-goods', 'refund-delay', 'rude-support', 'hold-time',
  'billing-error', 'app-crash', 'account-hacked', 'warranty-claim', 'praise', 'question',
] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

export const ESCALATIONS = ['regulator', 'legal', 'media', 'churn'] as const;
export type EscalationKind = (typeof ESCALATIONS)[number];

/** Touchpoint ids from config/allears.yaml that the demo surveys ask about. */
export const SURVEY_TOUCHPOINTS = ['delivery', 'checkout', 'support-contact', 'returns'] as const;
export type SurveyTouchpoint = (typeof SURVEY_TOUCHPOINTS)[number];

/**
 * Templates use {slot} placeholders filled from the item's context (product, order, days, city…),
 * so the product named in the text is the one in the item's dimensions.
 */
export interface ScenarioPhrases {
  /** Subject lines for forum posts, reviews, e-mails and complaint forms. */
  titles: readonly string[];
  /** One-liners for social posts, chats and survey-style remarks. */
  short: readonly string[];
  /** The opening account of what happened in a longer post. */
  bodies: readonly string[];
  /** Extra sentences; a long complaint strings several of them together. */
  details: readonly string[];
  /** What the customer wants. */
  asks: readonly string[];
}

export interface PhraseBank {
  /** Joins sentences: a space in English, nothing in Chinese. */
  sep: string;
  company: string;
  scenarios: Readonly<Record<ScenarioId, ScenarioPhrases>>;
  openers: { negative: readonly string[]; positive: readonly string[] };
  escalation: Readonly<Record<EscalationKind, readonly string[]>>;
  mentions: readonly string[];
  hashtags: readonly string[];
  /** Sentences that leak contact details, with {email} / {phone}; redaction should catch them. */
  pii: readonly string[];
  /** Reposts of another author's post, with {handle} and {text}. */
  repost: readonly string[];
  greetings: readonly string[];
  signoffs: readonly string[];
  /** Frame of a regulator-portal complaint, with {title} {amount} {company}; the narrative follows. */
  regulatorHeaders: readonly string[];
  survey: {
    low: Readonly<Record<SurveyTouchpoint, readonly string[]>>;
    mid: readonly string[];
    high: Readonly<Record<SurveyTouchpoint, readonly string[]>>;
  };
  slots: {
    weekdays: readonly string[];
    couriers: readonly string[];
    agents: readonly string[];
  };
}
