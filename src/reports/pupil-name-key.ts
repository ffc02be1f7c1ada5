/**
 * The pupil's name as the name search finds it (ADR 0011): prefix and surname together, lower case, without
 * diacritics, spaces, hyphens or apostrophes ("van der Berg", "Van der Berg" and "vanderberg" are one key; "Özdemir"
 * is "ozdemir"). Its 3-grams, of the key between boundary marks ("^" and "$"), go into a GIN index; a search for a
 * part of the name asks for the rows holding all of the part's 3-grams, and checks the key itself.
 */
export function nameKey(prefix: string | null | undefined, surname: string): string {
  return normalise(`${prefix ?? ''}${surname}`);
}

/** Lower case, no diacritics, letters and digits only. */
export function normalise(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss').replace(/[^\p{L}\p{N}]/gu, '');
}

/** The distinct 3-grams of `^key$`, sorted. */
export function nameGrams(key: string): string[] {
  const chars = [...`^${key}$`];
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(''));
  return [...grams].sort();
}

/** The shortest part of a name the search accepts, after normalising. */
export const NAME_QUERY_MIN = 2;

/**
 * How to find a part of a name: the 3-grams every matching key holds, and a LIKE pattern on the key to confirm.
 * A part of two letters is the beginning of the name ("^xy"); a longer part may sit anywhere in it.
 */
export function nameQuery(text: string): { grams: string[]; like: string } | null {
  const key = normalise(text);
  if ([...key].length < NAME_QUERY_MIN) return null;
  if ([...key].length === NAME_QUERY_MIN) return { grams: [`^${key}`], like: `${key}%` };
  const chars = [...key];
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(''));
  return { grams: [...grams].sort(), like: `%${key}%` };
}
