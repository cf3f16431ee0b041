/** Plain English for counts and types in messages and summaries: the one place that decides `1 table`, `an AWS::...`. */

/** `0 tables`, `1 table`, `2 policies`: the count and the noun in the number it needs. */
export function count(n: number, singular: string, plural = pluralOf(singular)): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function pluralOf(noun: string): string {
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  if (/(?:s|x|ch|sh)$/.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

/** `a role`, `an AWS::IAM::User`: the indefinite article as the word is read aloud (`AWS` starts with a vowel sound). */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}
