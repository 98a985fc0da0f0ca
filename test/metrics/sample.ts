/**
 * The value of one sample in Prometheus text: the line of that metric whose
 * labels include all those given (0 when there is none).
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  const line = text.split('\n').find((row) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(row);
    if (match?.[1] !== name) return false;
    const present = (match[2] ?? '').split(',');
    return wanted.every((pair) => present.includes(pair));
  });
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}
