import type { BuiltInProfile } from '../profile.ts';
import { heimao } from './heimao.ts';

/** Site profiles shipped with allears, by the name `options.profile` uses. */
export const BUILT_IN_PROFILES: Readonly<Record<string, BuiltInProfile>> = {
  heimao,
};
