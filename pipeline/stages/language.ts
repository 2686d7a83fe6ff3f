import { detectLanguage } from '../nlp/language.ts';
import type { Stage } from '../stage.ts';
import { BatchText } from './common.ts';

export const LANGUAGE_VERSION = 'script-1';

/** Sets `lang`: zh, en or other, from the scripts and function words of title, text and comment. */
export function languageStage(): Stage {
  return {
    name: 'language',
    run(batch) {
      const texts = BatchText.of(batch);
      batch.forEach((d, i) => {
        d.lang = detectLanguage(texts.text(i), () => texts.tokens(i).lex);
        d.analysis.models.language = LANGUAGE_VERSION;
      });
      return batch;
    },
  };
}
