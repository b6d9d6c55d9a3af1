/** A plain-text table, every column right-aligned to its widest cell, columns two spaces apart. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    widths.map((width, column) => (cells[column] ?? '').padStart(width)).join('  ');
  return [line(header), ...rows.map(line)];
}
