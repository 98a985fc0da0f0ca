/**
 * Secrets that can turn up inside free text, such as an error message that
 * quotes what it was given. Keys (and any later `wt_<kind>_<random>` secret)
 * keep their kind, so a log still says which sort of key it was.
 */
const secretPatterns: { pattern: RegExp; replacement: string }[] = [
  { pattern: /(wt_[a-z]+_)[A-Za-z0-9_-]{16,}/g, replacement: '$1[redacted]' },
  // Withdrawal codes: 28 letters and digits, with a dash after every 4 or none.
  {
    pattern: /\b(?:[0-9a-z]{4}(?:-[0-9a-z]{4}){6}|[0-9a-z]{28})\b/gi,
    replacement: '[redacted withdrawal code]',
  },
  // The password in a connection URL such as postgresql://user:password@host.
  { pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/\s]+@/gi, replacement: '$1[redacted]@' },
];

/** The text with every secret it quotes replaced by `[redacted]`. */
export function scrubSecrets(text: string): string {
  return secretPatterns.reduce(
    (scrubbed, { pattern, replacement }) => scrubbed.replace(pattern, replacement),
    text,
  );
}
