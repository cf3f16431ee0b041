/** What DynamoDB allows in a table tag (its Tag API reference): the reason a key or value is refused, if it is. */
export const TAG_LIMITS = { tags: 50, keyLength: 128, valueLength: 256 } as const;

/** Lengths in characters, as AWS counts them, not UTF-16 code units. */
const length = (text: string): number => [...text].length;

export function tagKeyFault(key: string): string | undefined {
  if (key.startsWith('aws:')) return 'must not start with "aws:", which AWS keeps for its own tags';
  if (length(key) < 1 || length(key) > TAG_LIMITS.keyLength)
    return `must be 1 to ${TAG_LIMITS.keyLength} characters long`;
  return undefined;
}

export function tagValueFault(value: string): string | undefined {
  return length(value) > TAG_LIMITS.valueLength
    ? `must be at most ${TAG_LIMITS.valueLength} characters long`
    : undefined;
}
