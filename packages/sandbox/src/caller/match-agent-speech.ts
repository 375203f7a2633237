import { normalizeSpeechText } from '../audio/index.js';
import type { AgentSaidMatch } from './script.js';

/**
 * Finds the shortest run of utterances, starting at `from`, whose joined text matches: the agent
 * may split one answer into several spoken segments. Returns the index of the run's last utterance.
 */
export function findAgentSpeech(
  texts: readonly string[],
  from: number,
  match: AgentSaidMatch | undefined,
): number {
  const test = matcher(match);
  for (let end = from; end < texts.length; end++) {
    for (let start = end; start >= from; start--) {
      if (test(texts.slice(start, end + 1).join(' '))) return end;
    }
  }
  return -1;
}

function matcher(match: AgentSaidMatch | undefined): (text: string) => boolean {
  if (match === undefined) return () => true;
  if (typeof match === 'string') {
    const needle = normalizeSpeechText(match);
    return (text) => normalizeSpeechText(text).includes(needle);
  }
  const regex = new RegExp(match.regex, (match.flags ?? 'i').replace(/[gy]/g, ''));
  return (text) => regex.test(text);
}

export function describeMatch(match: AgentSaidMatch | undefined): string {
  if (match === undefined) return 'anything';
  return typeof match === 'string' ? JSON.stringify(match) : `/${match.regex}/${match.flags ?? 'i'}`;
}
