export * from './raw-item.ts';
export * from './feedback.ts';
export * from './ids.ts';
export * from './errors.ts';
export * from './query.ts';
export * from './author-key.ts';
